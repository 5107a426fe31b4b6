package io.paddock.bench;

import java.nio.file.Path;
import java.util.List;

/** The two servers compared, and how each is started from a zoo.cfg. */
enum ServerKind {
    ZOOKEEPER("ZooKeeper", "org.apache.zookeeper.server.ZooKeeperServerMain",
        "org.apache.zookeeper.server.quorum.QuorumPeerMain"),
    PADDOCK("Paddock", "io.paddock.server.Main", "io.paddock.server.Main");

    private final String label;
    private final String mainClass;
    private final String ensembleMainClass;

    ServerKind(String label, String mainClass, String ensembleMainClass) {
        this.label = label;
        this.mainClass = mainClass;
        this.ensembleMainClass = ensembleMainClass;
    }

    /** The main class for an ensemble member (ZooKeeper's standalone main refuses server.N lines). */
    String ensembleMainClass() {
        return ensembleMainClass;
    }

    String label() {
        return label;
    }

    String mainClass() {
        return mainClass;
    }

    /** The program arguments after the main class. */
    List<String> args(Path zooCfg) {
        String cfg = zooCfg.toAbsolutePath().toString();
        return this == PADDOCK ? List.of("server", cfg) : List.of(cfg);
    }

    static ServerKind parse(String name) {
        switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "zookeeper":
            case "zk":
                return ZOOKEEPER;
            case "paddock":
                return PADDOCK;
            default:
                throw new BenchException("unknown server '" + name + "' (zookeeper or paddock)");
        }
    }
}
