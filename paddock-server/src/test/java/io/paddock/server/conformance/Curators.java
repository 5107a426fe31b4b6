package io.paddock.server.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/** Opening Curator clients against a target. */
final class Curators {
    static final int SHORT_SESSION_TIMEOUT_MS = 1000;
    private static final int CONNECTION_TIMEOUT_MS = 5000;
    private static final int RETRY_BASE_SLEEP_MS = 20;
    private static final int RETRIES_MAX = 10;

    private Curators() {
    }

    static CuratorFramework connect(String connectString) throws InterruptedException {
        return connect(connectString, TargetSettings.MAX_SESSION_TIMEOUT_MS);
    }

    /** A started client, connected (bounded wait). */
    static CuratorFramework connect(String connectString, int sessionTimeoutMs) throws InterruptedException {
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs(sessionTimeoutMs)
                .connectionTimeoutMs(CONNECTION_TIMEOUT_MS)
                .retryPolicy(new ExponentialBackoffRetry(RETRY_BASE_SLEEP_MS, RETRIES_MAX))
                .build();
        client.start();
        assertTrue(client.blockUntilConnected((int) Await.DEFAULT_BOUND.toSeconds(), TimeUnit.SECONDS),
                "Curator connected to " + connectString);
        return client;
    }
}
