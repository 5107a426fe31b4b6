package io.paddock.server.conformance;

import io.paddock.server.PaddockServer;
import io.paddock.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** Paddock standalone and in-process, configured with the same zoo.cfg keys as ZooKeeper. */
public final class PaddockTarget implements Target {
    private Path dataDir;
    private PaddockServer server;

    @Override
    public String name() {
        return "paddock";
    }

    @Override
    public void start() throws Exception {
        dataDir = Files.createTempDirectory("conformance-paddock");
        server = new PaddockServer(ServerConfig.fromProperties(zooCfg(dataDir)));
        server.start();
    }

    static Properties zooCfg(Path dataDir) {
        Properties cfg = new Properties();
        cfg.setProperty("tickTime", Integer.toString(TargetSettings.TICK_TIME_MS));
        cfg.setProperty("dataDir", dataDir.toString());
        cfg.setProperty("clientPort", "0");
        cfg.setProperty("clientPortAddress", TargetSettings.HOST);
        cfg.setProperty("maxClientCnxns", Integer.toString(TargetSettings.MAX_CLIENT_CNXNS));
        cfg.setProperty("4lw.commands.whitelist", TargetSettings.FOUR_LETTER_WHITELIST);
        cfg.setProperty("extendedTypesEnabled", "true");
        cfg.setProperty("enforceQuota", "true");
        cfg.setProperty("DigestAuthenticationProvider.superDigest", TargetSettings.superDigest());
        cfg.setProperty("znode.container.checkIntervalMs",
                Integer.toString(TargetSettings.CONTAINER_CHECK_INTERVAL_MS));
        return cfg;
    }

    @Override
    public String connectString() {
        return TargetSettings.HOST + ":" + server.clientPort();
    }

    @Override
    public void close() throws IOException {
        if (server != null) {
            server.close();
        }
        if (dataDir != null) {
            TempDirs.deleteRecursively(dataDir);
        }
    }
}
