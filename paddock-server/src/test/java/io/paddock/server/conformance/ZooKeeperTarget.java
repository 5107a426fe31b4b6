package io.paddock.server.conformance;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.zookeeper.server.ContainerManager;
import org.apache.zookeeper.server.RequestProcessor;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;

/**
 * Apache ZooKeeper 3.9.5, standalone and in-process: the oracle every expectation is checked
 * against.
 *
 * <p>ZooKeeper reads its settings from system properties, some of them once per JVM, so they
 * are set here before any server class is loaded:
 * <ul>
 *   <li>{@code zookeeper.extendedTypesEnabled} (EphemeralType, read on every use) enables TTL
 *       nodes;
 *   <li>{@code zookeeper.DigestAuthenticationProvider.superDigest} is a static final of
 *       DigestAuthenticationProvider, read when that class loads (so tests compute digests with
 *       {@link TargetSettings#digestId}, never with that class);
 *   <li>{@code zookeeper.4lw.commands.whitelist} is read by FourLetterCommands on the first 4lw;
 *   <li>{@code zookeeper.enforceQuota} is a static final of ZooKeeperServer, read when that class
 *       loads, which any in-process use of ZooKeeper's DataTree does: the pom sets it for the whole
 *       test JVM;
 *   <li>the container/TTL sweep is not part of ZooKeeperServer at all: ZooKeeperServerMain
 *       builds a ContainerManager from {@code znode.container.checkIntervalMs}; we build it here.
 * </ul>
 */
public final class ZooKeeperTarget implements Target {
    private static final int CONTAINER_DELETES_PER_MINUTE_MAX = 10_000;

    private Path dataDir;
    private ExposedZooKeeperServer server;
    private ServerCnxnFactory cnxnFactory;
    private ContainerManager containerManager;

    @Override
    public String name() {
        return "zookeeper";
    }

    @Override
    public void start() throws Exception {
        setSystemProperties();
        dataDir = Files.createTempDirectory("conformance-zookeeper");
        File dir = dataDir.toFile();
        server = new ExposedZooKeeperServer(dir, TargetSettings.TICK_TIME_MS);
        InetSocketAddress address = new InetSocketAddress(TargetSettings.HOST, 0);
        cnxnFactory = ServerCnxnFactory.createFactory(address, TargetSettings.MAX_CLIENT_CNXNS);
        try {
            cnxnFactory.startup(server);
        } catch (NoClassDefFoundError e) {
            throw new IllegalStateException("ZooKeeper's server needs io.dropwizard.metrics:metrics-core and "
                    + "org.xerial.snappy:snappy-java on the test classpath (its pom marks them provided)", e);
        }
        containerManager = new ContainerManager(server.getZKDatabase(), server.firstProcessor(),
                TargetSettings.CONTAINER_CHECK_INTERVAL_MS, CONTAINER_DELETES_PER_MINUTE_MAX, 0);
        containerManager.start();
    }

    private static void setSystemProperties() {
        System.setProperty("zookeeper.extendedTypesEnabled", "true");
        System.setProperty("zookeeper.DigestAuthenticationProvider.superDigest",
                TargetSettings.superDigest());
        System.setProperty("zookeeper.4lw.commands.whitelist", TargetSettings.FOUR_LETTER_WHITELIST);
        System.setProperty("zookeeper.enforceQuota", "true"); // read once per JVM: the pom sets it from the start too
        System.setProperty("znode.container.checkIntervalMs",
                Integer.toString(TargetSettings.CONTAINER_CHECK_INTERVAL_MS));
    }

    @Override
    public String connectString() {
        return TargetSettings.HOST + ":" + cnxnFactory.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        if (containerManager != null) {
            containerManager.stop();
        }
        if (cnxnFactory != null) {
            cnxnFactory.shutdown();
        }
        if (server != null) {
            server.shutdown();
        }
        if (dataDir != null) {
            TempDirs.deleteRecursively(dataDir);
        }
    }

    /** Gives the container manager the first request processor, as ZooKeeperServerMain does. */
    private static final class ExposedZooKeeperServer extends ZooKeeperServer {
        ExposedZooKeeperServer(File dir, int tickTimeMs) throws IOException {
            super(dir, dir, tickTimeMs);
        }

        RequestProcessor firstProcessor() {
            return firstProcessor;
        }
    }
}
