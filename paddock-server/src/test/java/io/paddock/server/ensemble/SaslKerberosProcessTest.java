package io.paddock.server.ensemble;

import static io.paddock.server.ensemble.EnsembleClients.BOUND;
import static io.paddock.server.ensemble.EnsembleClients.awaitState;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.server.quorum.PeerPorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import org.apache.kerby.kerberos.kerb.server.SimpleKdcServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SASL with Kerberos (GSSAPI) for clients, as a Kerberized ZooKeeper runs it: a KDC (Apache
 * Kerby's, on loopback, in this JVM), the server logging in from a keytab with the JDK's
 * Krb5LoginModule in its JAAS {@code Server} section, the official Java client logging in from its
 * own keytab. The same expectations are checked against Apache ZooKeeper 3.9.5 and Paddock, each
 * its own process: the proven id ({@code alice@EXAMPLE.COM}, or {@code alice} with
 * {@code kerberos.removeRealmFromPrincipal=true}) as the ACL and whoAmI see it.
 */
class SaslKerberosProcessTest {
    private static final String REALM = "EXAMPLE.COM";
    private static final String SERVER_PRINCIPAL = "zookeeper/localhost@" + REALM;
    private static final String KRB5_MODULE = "com.sun.security.auth.module.Krb5LoginModule";
    private static final String PROVIDER = "authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider";

    @TempDir
    static Path kdcDir;
    private static SimpleKdcServer kdc;
    private static Path krb5Conf;
    private static Path serverKeytab;
    private static String krb5ConfBefore;
    private static Configuration jaasBefore;

    @TempDir
    Path dir;

    @BeforeAll
    static void kdc() throws Exception {
        kdc = new SimpleKdcServer();
        kdc.setWorkDir(kdcDir.toFile());
        kdc.setKdcHost("127.0.0.1");
        kdc.setKdcRealm(REALM);
        kdc.setKdcTcpPort(PeerPorts.free());
        kdc.setAllowUdp(false);
        kdc.init();
        kdc.start();
        serverKeytab = kdcDir.resolve("server.keytab");
        kdc.createAndExportPrincipals(serverKeytab.toFile(), SERVER_PRINCIPAL);
        Path aliceKeytab = kdcDir.resolve("alice.keytab");
        kdc.createAndExportPrincipals(aliceKeytab.toFile(), "alice@" + REALM);
        krb5Conf = kdcDir.resolve("krb5.conf");
        assertTrue(Files.exists(krb5Conf), "Kerby writes the krb5.conf of its KDC: " + List.of(kdcDir.toFile().list()));
        krb5ConfBefore = System.setProperty("java.security.krb5.conf", krb5Conf.toString());
        try {
            jaasBefore = Configuration.getConfiguration();
        } catch (SecurityException e) {
            jaasBefore = null;
        }
        Map<String, String> options = new HashMap<>();
        options.put("useKeyTab", "true");
        options.put("keyTab", aliceKeytab.toString());
        options.put("principal", "alice@" + REALM);
        options.put("storeKey", "true");
        options.put("useTicketCache", "false");
        options.put("doNotPrompt", "true");
        options.put("refreshKrb5Config", "true"); // this JVM may have read another krb5.conf before
        Configuration.setConfiguration(new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return name.equals("PaddockTestKerberosAlice") ? new AppConfigurationEntry[] {new AppConfigurationEntry(
                        KRB5_MODULE, AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, options)} : null;
            }
        });
    }

    @AfterAll
    static void stopKdc() throws Exception {
        Configuration.setConfiguration(jaasBefore);
        if (krb5ConfBefore == null) {
            System.clearProperty("java.security.krb5.conf");
        } else {
            System.setProperty("java.security.krb5.conf", krb5ConfBefore);
        }
        if (kdc != null) {
            kdc.stop();
        }
    }

    private Path serverJaas() throws Exception {
        Path jaas = dir.resolve("server-jaas.conf");
        Files.writeString(jaas, "Server {\n"
                + "    " + KRB5_MODULE + " required\n"
                + "    useKeyTab=true\n"
                + "    keyTab=\"" + serverKeytab + "\"\n"
                + "    storeKey=true\n"
                + "    useTicketCache=false\n"
                + "    principal=\"" + SERVER_PRINCIPAL + "\";\n"
                + "};\n");
        return jaas;
    }

    private enum Kind { ZOOKEEPER, PADDOCK }

    private LocalEnsemble single(Kind kind, String... lines) throws Exception {
        return LocalEnsemble.single(dir.resolve(kind.name().toLowerCase() + "-" + System.nanoTime()),
                kind == Kind.ZOOKEEPER, List.of(lines), "-Djava.security.auth.login.config=" + serverJaas(),
                "-Djava.security.krb5.conf=" + krb5Conf);
    }

    private static ZooKeeper alice(String connect, BlockingQueue<KeeperState> events) throws Exception {
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty(ZKClientConfig.LOGIN_CONTEXT_NAME_KEY, "PaddockTestKerberosAlice");
        config.setProperty(ZKClientConfig.ZOOKEEPER_SERVER_PRINCIPAL, SERVER_PRINCIPAL);
        return new ZooKeeper(connect, 15_000, event -> {
            if (event.getState() != null) {
                events.add(event.getState());
            }
        }, config);
    }

    private static ZooKeeper anonymous(String connect) throws Exception {
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "false");
        return new ZooKeeper(connect, 15_000, event -> { }, config);
    }

    private void aliceIsProvenAs(Kind kind, String id, String... lines) throws Exception {
        List<String> all = new ArrayList<>(List.of(lines));
        all.add(PROVIDER);
        try (LocalEnsemble e = single(kind, all.toArray(new String[0]))) {
            String connect = e.connectString(1);
            BlockingQueue<KeeperState> events = new LinkedBlockingQueue<>();
            try (ZooKeeper alice = alice(connect, events); ZooKeeper anonymous = anonymous(connect)) {
                awaitState(events, KeeperState.SaslAuthenticated);
                assertTrue(alice.whoAmI().contains(new org.apache.zookeeper.data.ClientInfo("sasl", id)),
                        kind + ": " + alice.whoAmI());
                byte[] data = "v".getBytes(StandardCharsets.UTF_8);
                alice.create("/alices", data, ZooDefs.Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT);
                assertEquals(List.of(new ACL(ZooDefs.Perms.ALL, new Id("sasl", id))), alice.getACL("/alices", null),
                        kind.name());
                assertArrayEquals(data, alice.getData("/alices", false, null));
                assertThrows(KeeperException.NoAuthException.class, () -> anonymous.getData("/alices", false, null),
                        kind.name());
            }
        }
    }

    @Test
    void aKerberosClientIsProvenAsItsPrincipalOnZooKeeper() throws Exception {
        aliceIsProvenAs(Kind.ZOOKEEPER, "alice@" + REALM);
    }

    @Test
    void aKerberosClientIsProvenAsItsPrincipalOnPaddock() throws Exception {
        aliceIsProvenAs(Kind.PADDOCK, "alice@" + REALM);
    }

    @Test
    void withoutTheRealmOnZooKeeper() throws Exception {
        aliceIsProvenAs(Kind.ZOOKEEPER, "alice", "kerberos.removeRealmFromPrincipal=true");
    }

    @Test
    void withoutTheRealmOnPaddock() throws Exception {
        aliceIsProvenAs(Kind.PADDOCK, "alice", "kerberos.removeRealmFromPrincipal=true");
    }

    /** A keytab without the server's principal stops the start, with a line that says why. */
    @Test
    void aServerThatCannotLogInDoesNotStart() throws Exception {
        Path home = Files.createDirectories(dir.resolve("bad"));
        LocalEnsemble e = new LocalEnsemble(home, 1);
        try (e) {
            Path jaas = dir.resolve("bad-jaas.conf");
            Files.writeString(jaas, Files.readString(serverJaas()).replace(SERVER_PRINCIPAL, "zookeeper/elsewhere@" + REALM));
            e.start(1, "-Djava.security.auth.login.config=" + jaas, "-Djava.security.krb5.conf=" + krb5Conf);
            e.await("the server says why it stops", BOUND,
                    () -> output(e).contains("Kerberos login of JAAS section 'Server' failed"));
        }
    }

    private static String output(LocalEnsemble e) {
        try {
            return e.output(1);
        } catch (java.io.IOException ex) {
            return "";
        }
    }
}
