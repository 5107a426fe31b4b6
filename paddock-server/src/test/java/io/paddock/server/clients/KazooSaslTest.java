package io.paddock.server.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.paddock.server.PaddockServer;
import io.paddock.server.ServerConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kazoo's SASL (DIGEST-MD5 through pure-sasl, with its own xids from 1 during the connect) against
 * Paddock: the proven id is sasl:bob to ACLs, and a wrong password keeps the client out. Another
 * SASL stack than the JDK's the Java client uses. The server's JAAS {@code Server} section comes
 * from a Configuration installed while the server is made (it reads the section then) and removed
 * right after.
 */
class KazooSaslTest {
    @Test
    void kazooAuthenticatesWithDigestMd5AndItsUserIsItsIdentity(@TempDir Path dir) throws Exception {
        assumeTrue(InstalledClients.kazooInstalled(), "kazoo not installed for /usr/bin/python3: " + ClientChecks.INSTALL_HINT);
        assumeTrue(ScriptRun.run(List.of(InstalledClients.DEBIAN_PYTHON.toString(), "-c", "import puresasl"),
                InstalledClients.debianPythonEnv(), 20).exitCode() == 0,
                "pure-sasl (Debian python3-pure-sasl) not installed for /usr/bin/python3: " + ClientChecks.INSTALL_HINT);
        Properties p = new Properties();
        p.setProperty("tickTime", "200");
        p.setProperty("dataDir", dir.resolve("data").toString());
        p.setProperty("clientPort", "0");
        p.setProperty("clientPortAddress", "127.0.0.1");
        p.setProperty("authProvider.1", "org.apache.zookeeper.server.auth.SASLAuthenticationProvider");
        PaddockServer made;
        Configuration before = currentJaas();
        Configuration.setConfiguration(new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return name.equals("Server") ? new AppConfigurationEntry[] {new AppConfigurationEntry(
                        "org.apache.zookeeper.server.auth.DigestLoginModule",
                        AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, Map.of("user_bob", "bob-secret"))} : null;
            }
        });
        try {
            made = new PaddockServer(ServerConfig.fromProperties(p));
        } finally {
            Configuration.setConfiguration(before);
        }
        try (PaddockServer server = made) {
            server.start();
            List<String> command = List.of(InstalledClients.DEBIAN_PYTHON.toString(),
                    ClientChecks.clientsFolder().resolve("kazoo_sasl_check.py").toString(),
                    "127.0.0.1:" + server.clientPort(), "bob", "bob-secret");
            ScriptRun run = ScriptRun.run(command, InstalledClients.debianPythonEnv(), 90);
            String report = String.join(" ", command) + " exited " + run.exitCode() + ":\n" + run.output();
            System.out.println(report);
            assertEquals(0, run.exitCode(), report);
            assertTrue(run.output().contains("ok all checks passed"), report);
        }
    }

    private static Configuration currentJaas() {
        try {
            return Configuration.getConfiguration();
        } catch (SecurityException e) {
            return null; // none in this JVM: put back as none
        }
    }
}
