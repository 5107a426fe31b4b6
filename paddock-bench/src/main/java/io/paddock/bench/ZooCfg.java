package io.paddock.bench;

import java.nio.file.Path;

/**
 * The one zoo.cfg both servers run with. Only the directories and the port differ between the
 * two files written from it, so the servers can run side by side.
 */
final class ZooCfg {
    /** Settings shared by both servers; snapCount and everything else stay at the defaults. */
    static final String COMMON = String.join("\n",
        "tickTime=2000",
        "clientPortAddress=127.0.0.1",
        "maxClientCnxns=0",
        "4lw.commands.whitelist=*",
        "forceSync=yes",
        // ZooKeeper's admin server would listen on every address (port 8080); the bench stays on
        // loopback. ZooKeeper turns this key into zookeeper.admin.enableServer; Paddock ignores it.
        "admin.enableServer=false",
        "");

    private ZooCfg() {}

    static String render(int clientPort, Path dataDir, Path dataLogDir) {
        return COMMON
            + "clientPort=" + clientPort + "\n"
            + "dataDir=" + dataDir.toAbsolutePath() + "\n"
            + "dataLogDir=" + dataLogDir.toAbsolutePath() + "\n";
    }
}
