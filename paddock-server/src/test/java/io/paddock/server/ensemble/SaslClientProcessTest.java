package io.paddock.server.ensemble;

import static io.paddock.server.ensemble.EnsembleClients.BOUND;
import static io.paddock.server.ensemble.EnsembleClients.awaitState;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
 * SASL (DIGEST-MD5) for clients, the way Kafka's and others' deployments set it up: a JAAS file
 * with a {@code Server} section of ZooKeeper's DigestLoginModule given to the server with {@code
 * -Djava.security.auth.login.config}, {@code authProvider.1=...SASLAuthenticationProvider} in
 * zoo.cfg, and the official Java client logging in from its own JAAS section (with {@code
 * zookeeper.fips-mode=false}: in its default FIPS mode a 3.9 client will not use DIGEST-MD5). Every expectation is
 * checked against Apache ZooKeeper 3.9.5 (QuorumPeerMain, one server) and a Paddock server alike,
 * each its own process; then on a Paddock ensemble with the client on a follower, whose writes
 * carry the SASL id to the leader.
 *
 * <p>The client's JAAS sections come from a Configuration installed in this JVM for the class's
 * tests and removed after: sections with names of their own, so that no other client in the JVM
 * (which looks for {@code Client}) starts a SASL exchange.
 */
class SaslClientProcessTest {
    private static final String PROVIDER = "authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider";
    private static final String DIGEST_MODULE = "org.apache.zookeeper.server.auth.DigestLoginModule";
    private static Configuration before;

    @TempDir
    Path dir;

    @BeforeAll
    static void clientSections() {
        try {
            before = Configuration.getConfiguration();
        } catch (SecurityException e) {
            before = null; // no JAAS file in this JVM: put back as "none" afterwards
        }
        Map<String, String[]> users = Map.of(
                "PaddockTestBob", new String[] {"bob", "bob-secret"},
                "PaddockTestWrongPassword", new String[] {"bob", "not-bobs"},
                "PaddockTestAdmin", new String[] {"admin", "admin-secret"});
        Configuration.setConfiguration(new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                String[] user = users.get(name);
                if (user == null) {
                    return null;
                }
                Map<String, String> options = new HashMap<>();
                options.put("username", user[0]);
                options.put("password", user[1]);
                return new AppConfigurationEntry[] {new AppConfigurationEntry(DIGEST_MODULE,
                        AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, options)};
            }
        });
    }

    @AfterAll
    static void removeClientSections() {
        Configuration.setConfiguration(before);
    }

    /** The server's JAAS file, as ZooKeeper's documentation writes it. */
    private Path serverJaas() throws Exception {
        Path jaas = dir.resolve("server-jaas.conf");
        Files.writeString(jaas, "Server {\n"
                + "    " + DIGEST_MODULE + " required\n"
                + "    user_bob=\"bob-secret\"\n"
                + "    user_admin=\"admin-secret\";\n"
                + "};\n");
        return jaas;
    }

    private enum Kind { ZOOKEEPER, PADDOCK }

    /** One server of {@code kind} on zoo.cfg plus {@code lines}, with the JAAS file where {@code jaas}. */
    private LocalEnsemble single(Kind kind, boolean jaas, String... lines) throws Exception {
        String[] flags = jaas ? new String[] {"-Djava.security.auth.login.config=" + serverJaas()} : new String[0];
        return LocalEnsemble.single(dir.resolve(kind.name().toLowerCase() + "-" + System.nanoTime()),
                kind == Kind.ZOOKEEPER, List.of(lines), flags);
    }

    /** A client that logs in from JAAS section {@code section}, or without SASL where null; its events in {@code events}. */
    private static ZooKeeper client(String connect, String section, BlockingQueue<KeeperState> events) throws Exception {
        ZKClientConfig config = new ZKClientConfig();
        if (section == null) {
            config.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "false");
        } else {
            config.setProperty(ZKClientConfig.LOGIN_CONTEXT_NAME_KEY, section);
            // ZooKeeper 3.9's client refuses DIGEST-MD5 in FIPS mode, its default.
            config.setProperty("zookeeper.fips-mode", "false");
        }
        return new ZooKeeper(connect, 15_000, event -> {
            if (event.getState() != null) { // a client whose SASL could not start sends an event without one
                events.add(event.getState());
            }
        }, config);
    }

    /** ALL for {@code sasl:id}, in a list the client's validateACL can search for null (List.of cannot). */
    private static List<ACL> acl(String id) {
        return new ArrayList<>(List.of(new ACL(ZooDefs.Perms.ALL, new Id("sasl", id))));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * What a SASL user relies on, asserted the same against both servers: the proven id becomes
     * {@code sasl:bob} (CREATOR_ALL_ACL stores it), it alone passes that ACL, a superUser passes every
     * ACL, a sasl ACL id that KerberosName refuses is InvalidACL, a wrong password ends the client in
     * AuthFailed.
     */
    private void saslUsers(Kind kind) throws Exception {
        try (LocalEnsemble e = single(kind, true, PROVIDER, "superUser=admin")) {
            String connect = e.connectString(1);
            BlockingQueue<KeeperState> bobEvents = new LinkedBlockingQueue<>();
            try (ZooKeeper bob = client(connect, "PaddockTestBob", bobEvents);
                 ZooKeeper anonymous = client(connect, null, new LinkedBlockingQueue<>());
                 ZooKeeper admin = client(connect, "PaddockTestAdmin", new LinkedBlockingQueue<>())) {
                awaitState(bobEvents, KeeperState.SaslAuthenticated);
                // A set: ZooKeeper keeps a connection's ids in a hash set, Paddock in the order they came.
                assertEquals(java.util.Set.of(new org.apache.zookeeper.data.ClientInfo("ip", "127.0.0.1"),
                        new org.apache.zookeeper.data.ClientInfo("sasl", "bob")), java.util.Set.copyOf(bob.whoAmI()),
                        kind.name());
                bob.create("/bobs", bytes("v1"), ZooDefs.Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT);
                assertEquals(List.of(new ACL(ZooDefs.Perms.ALL, new Id("sasl", "bob"))), bob.getACL("/bobs", null),
                        kind + ": the auth ACL stands for the SASL id");
                bob.setData("/bobs", bytes("v2"), -1);
                assertArrayEquals(bytes("v2"), bob.getData("/bobs", false, null));
                assertThrows(KeeperException.NoAuthException.class, () -> anonymous.getData("/bobs", false, null),
                        kind + ": a client without the id is refused");
                assertArrayEquals(bytes("v2"), admin.getData("/bobs", false, null), kind + ": superUser passes");
                assertThrows(KeeperException.InvalidACLException.class, () -> bob.create("/odd", bytes(""),
                        acl("a@b@c"), CreateMode.PERSISTENT),
                        kind + ": KerberosName refuses the id");
                bob.create("/anyones", bytes(""), acl("carol"),
                        CreateMode.PERSISTENT);
                assertThrows(KeeperException.NoAuthException.class, () -> bob.getData("/anyones", false, null),
                        kind + ": sasl:carol is not bob's");
            }
            BlockingQueue<KeeperState> wrongEvents = new LinkedBlockingQueue<>();
            try (ZooKeeper wrong = client(connect, "PaddockTestWrongPassword", wrongEvents)) {
                awaitState(wrongEvents, KeeperState.AuthFailed);
                assertEquals(ZooKeeper.States.AUTH_FAILED, wrong.getState(), kind + ": a wrong password ends the client");
            }
        }
    }

    @Test
    void saslUsersOnZooKeeper() throws Exception {
        saslUsers(Kind.ZOOKEEPER);
    }

    @Test
    void saslUsersOnPaddock() throws Exception {
        saslUsers(Kind.PADDOCK);
    }

    /** sessionRequireClientSASLAuth: a client without SASL is refused its first request; one with it is served. */
    private void saslRequired(Kind kind) throws Exception {
        try (LocalEnsemble e = single(kind, true, PROVIDER, "sessionRequireClientSASLAuth=true")) {
            String connect = e.connectString(1);
            try (ZooKeeper anonymous = client(connect, null, new LinkedBlockingQueue<>())) {
                KeeperException refused = assertThrows(KeeperException.class, () -> anonymous.exists("/", false));
                assertEquals(KeeperException.Code.SESSIONCLOSEDREQUIRESASLAUTH, refused.code(), kind.name());
            }
            BlockingQueue<KeeperState> events = new LinkedBlockingQueue<>();
            try (ZooKeeper bob = client(connect, "PaddockTestBob", events)) {
                awaitState(events, KeeperState.SaslAuthenticated);
                bob.create("/served", bytes("x"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                assertArrayEquals(bytes("x"), bob.getData("/served", false, null), kind.name());
            }
        }
    }

    @Test
    void saslRequiredOnZooKeeper() throws Exception {
        saslRequired(Kind.ZOOKEEPER);
    }

    @Test
    void saslRequiredOnPaddock() throws Exception {
        saslRequired(Kind.PADDOCK);
    }

    /** A server with no JAAS section answers a client's SASL token with nothing: the client ends in AuthFailed. */
    private void noServerSection(Kind kind) throws Exception {
        try (LocalEnsemble e = single(kind, false)) {
            BlockingQueue<KeeperState> events = new LinkedBlockingQueue<>();
            try (ZooKeeper bob = client(e.connectString(1), "PaddockTestBob", events)) {
                awaitState(events, KeeperState.AuthFailed);
                assertEquals(ZooKeeper.States.AUTH_FAILED, bob.getState(), kind.name());
            }
        }
    }

    @Test
    void noServerSectionOnZooKeeper() throws Exception {
        noServerSection(Kind.ZOOKEEPER);
    }

    @Test
    void noServerSectionOnPaddock() throws Exception {
        noServerSection(Kind.PADDOCK);
    }

    /**
     * On a Paddock ensemble, bob on a follower: his writes are forwarded with his SASL id, so the
     * leader stores and checks sasl:bob; an anonymous client on the leader is refused.
     */
    @Test
    void aSaslIdRidesWithWritesFromAFollower() throws Exception {
        try (LocalEnsemble e = new LocalEnsemble(dir.resolve("ensemble"), 3)) {
            e.configureAll(PROVIDER);
            String flag = "-Djava.security.auth.login.config=" + serverJaas();
            for (int sid = 1; sid <= 3; sid++) {
                e.start(sid, flag);
            }
            e.awaitOneLeader(3, BOUND);
            int leader = e.leader();
            int follower = leader == 1 ? 2 : 1;
            BlockingQueue<KeeperState> events = new LinkedBlockingQueue<>();
            try (ZooKeeper bob = client(e.connectString(follower), "PaddockTestBob", events);
                 ZooKeeper anonymous = client(e.connectString(leader), null, new LinkedBlockingQueue<>())) {
                awaitState(events, KeeperState.SaslAuthenticated);
                bob.create("/bobs", bytes("v1"), ZooDefs.Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT);
                bob.setData("/bobs", bytes("v2"), -1);
                assertEquals(List.of(new ACL(ZooDefs.Perms.ALL, new Id("sasl", "bob"))), bob.getACL("/bobs", null));
                assertThrows(KeeperException.NoAuthException.class, () -> anonymous.setData("/bobs", bytes("x"), -1));
                assertArrayEquals(bytes("v2"), bob.getData("/bobs", false, null));
            }
        }
    }
}
