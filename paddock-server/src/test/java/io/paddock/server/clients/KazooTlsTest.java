package io.paddock.server.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.paddock.server.PaddockServer;
import io.paddock.server.ServerConfig;
import io.paddock.server.TestCertificates;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kazoo, the Python client, over TLS with its own settings (use_ssl, ca, certfile, keyfile): the
 * server's stores are PEM files (ZooKeeper's PEM key and trust stores), the client's certificate
 * is its x509 identity (authProvider.x509), so CREATOR_ALL_ACL names it. Python's ssl module is
 * another TLS stack than the JDK's the other tests use.
 */
class KazooTlsTest {
    @Test
    void kazooConnectsOverTlsAndItsCertificateIsItsIdentity(@TempDir Path dir) throws Exception {
        assumeTrue(InstalledClients.kazooInstalled(), "kazoo not installed for /usr/bin/python3: " + ClientChecks.INSTALL_HINT);
        TestCertificates certs = TestCertificates.make(dir.resolve("certs"));
        Properties p = new Properties();
        p.setProperty("tickTime", "200");
        p.setProperty("dataDir", dir.resolve("data").toString());
        p.setProperty("secureClientPort", "0");
        p.setProperty("secureClientPortAddress", "127.0.0.1");
        p.setProperty("ssl.keyStore.location", certs.serverKeysPem.toString());
        p.setProperty("ssl.trustStore.location", certs.clientCertPem.toString());
        p.setProperty("authProvider.x509", "org.apache.zookeeper.server.auth.X509AuthenticationProvider");
        try (PaddockServer server = new PaddockServer(ServerConfig.fromProperties(p))) {
            server.start();
            List<String> command = List.of(InstalledClients.DEBIAN_PYTHON.toString(),
                    ClientChecks.clientsFolder().resolve("kazoo_tls_check.py").toString(), certs.serverCertPem.toString(),
                    certs.clientCertPem.toString(), certs.clientKeyPem.toString(), TestCertificates.CLIENT_SUBJECT,
                    "127.0.0.1:" + server.secureClientPort());
            ScriptRun run = ScriptRun.run(command, InstalledClients.debianPythonEnv(), 60);
            String report = String.join(" ", command) + " exited " + run.exitCode() + ":\n" + run.output();
            System.out.println(report);
            assertEquals(0, run.exitCode(), report);
            assertTrue(run.output().contains("ok all checks passed"), report);
        }
    }
}
