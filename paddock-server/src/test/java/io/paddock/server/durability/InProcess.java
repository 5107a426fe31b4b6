package io.paddock.server.durability;

import io.paddock.server.PaddockServer;
import io.paddock.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Properties;

/** Starts a Paddock server inside the test JVM on a free loopback port. */
final class InProcess {
    private InProcess() {
    }

    static Properties settings(Path dataDir, Path dataLogDir, int snapCount) {
        Properties p = new Properties();
        p.setProperty("tickTime", "200");
        p.setProperty("clientPort", "0");
        p.setProperty("clientPortAddress", "127.0.0.1");
        p.setProperty("dataDir", dataDir.toString());
        p.setProperty("dataLogDir", dataLogDir.toString());
        p.setProperty("snapCount", String.valueOf(snapCount));
        p.setProperty("forceSync", "yes");
        return p;
    }

    /** A started server; on failure nothing is left running and the IOException says why. */
    static PaddockServer start(Properties settings) throws IOException {
        PaddockServer server = new PaddockServer(ServerConfig.fromProperties(settings));
        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }
}
