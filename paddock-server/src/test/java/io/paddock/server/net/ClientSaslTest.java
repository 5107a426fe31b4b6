package io.paddock.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.SaslStep;
import io.paddock.core.wire.Code;
import java.util.List;
import java.util.Map;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.security.sasl.RealmCallback;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslClient;
import org.junit.jupiter.api.Test;

/**
 * The server's half of DIGEST-MD5 against the JDK's client half, as ZooKeeper's Java client runs
 * it (protocol zookeeper, server name zk-sasl-md5): the proven id, super users, wrong passwords
 * and unknown users under each failure setting, malformed tokens and tokens after the end; the
 * JAAS sections taken and refused; and the authorized id of names with a host or realm, as
 * ZooKeeper's KerberosName rules make it.
 */
class ClientSaslTest {
    private static AppConfigurationEntry entry(String module, Map<String, ?> options) {
        return new AppConfigurationEntry(module, AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, options);
    }

    private static Configuration jaas(String section, AppConfigurationEntry... entries) {
        return new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return name.equals(section) ? entries : null;
            }
        };
    }

    private static ClientSasl sasl(ClientSasl.Settings settings) {
        return ClientSasl.load(settings, "/etc/zk/jaas.conf", () -> jaas("Server",
                entry(ClientSasl.DIGEST_LOGIN_MODULE, Map.of("user_bob", "bob-secret", "user_super", "in-file",
                        "username", "server-self", "password", "not-a-user"))));
    }

    private static ClientSasl.Settings settings(List<String> superUsers, String superPassword, boolean allowFailed,
                                                boolean required) {
        return new ClientSasl.Settings("Server", false, superUsers, superPassword, allowFailed, required, false, false);
    }

    /** Runs a JDK client as {@code user}/{@code password} against {@code sasl}; the server's last step. */
    private static SaslStep exchange(ClientSasl sasl, String user, String password) throws Exception {
        SaslClient client = Sasl.createSaslClient(new String[] {"DIGEST-MD5"}, user, "zookeeper", "zk-sasl-md5", null,
                (Callback[] callbacks) -> {
                    for (Callback c : callbacks) {
                        if (c instanceof NameCallback n) {
                            n.setName(user);
                        } else if (c instanceof PasswordCallback p) {
                            p.setPassword(password.toCharArray());
                        } else if (c instanceof RealmCallback r) {
                            r.setText(r.getDefaultText());
                        }
                    }
                });
        ClientSasl.Exchange exchange = sasl.newExchange();
        try {
            byte[] token = new byte[0]; // DIGEST-MD5 has no initial response: ZooKeeper's client sends an empty token
            for (int round = 0; round < 5; round++) {
                SaslStep step = sasl.evaluate(exchange, token, "127.0.0.1");
                if (step.err() != Code.OK || step.authorizedId() != null || step.challenge() == null) {
                    if (step.authorizedId() != null) {
                        client.evaluateChallenge(step.challenge()); // the server's rspauth: the client checks it
                        assertTrue(client.isComplete(), "the client accepts the server's last token");
                    }
                    return step;
                }
                token = client.evaluateChallenge(step.challenge());
            }
            throw new AssertionError("no end within 5 rounds");
        } finally {
            exchange.dispose();
        }
    }

    @Test
    void aListedUserWithItsPasswordIsProvenAndSuperUsersAreNamed() throws Exception {
        ClientSasl sasl = sasl(settings(List.of("bob"), null, false, false));
        SaslStep bob = exchange(sasl, "bob", "bob-secret");
        assertEquals(List.of(Code.OK, "bob", true), List.of(bob.err(), bob.authorizedId(), bob.superUser()));
        assertNotNull(bob.challenge(), "DIGEST-MD5's rspauth goes back to the client");
        SaslStep plain = exchange(sasl(settings(List.of("admin"), null, false, false)), "bob", "bob-secret");
        assertEquals(false, plain.superUser());
    }

    @Test
    void failuresAreAnsweredAsZooKeeperAnswersThem() throws Exception {
        assertEquals(SaslStep.failed(Code.AUTH_FAILED).err(),
                exchange(sasl(settings(List.of(), null, false, false)), "bob", "wrong").err());
        assertEquals(Code.AUTH_FAILED, exchange(sasl(settings(List.of(), null, false, false)), "mallory", "x").err(),
                "a user the section does not list");
        assertEquals(Code.SESSION_CLOSED_REQUIRE_SASL_AUTH,
                exchange(sasl(settings(List.of(), null, true, true)), "bob", "wrong").err(),
                "required: failed clients are not kept even where allowed");
        SaslStep kept = exchange(sasl(settings(List.of(), null, true, false)), "bob", "wrong");
        assertEquals(List.of(Code.OK), List.of(kept.err()), "allowSaslFailedClients keeps the connection");
        assertNull(kept.authorizedId());
        assertNull(kept.challenge());
    }

    @Test
    void theSuperPasswordPropertyReplacesSupersPasswordInTheFile() throws Exception {
        assertEquals("super", exchange(sasl(settings(List.of(), null, false, false)), "super", "in-file").authorizedId());
        ClientSasl overridden = sasl(settings(List.of(), "from-property", false, false));
        assertEquals("super", exchange(overridden, "super", "from-property").authorizedId());
        assertEquals(Code.AUTH_FAILED, exchange(overridden, "super", "in-file").err());
    }

    @Test
    void aTokenAfterTheEndFailsTheExchange() throws Exception {
        ClientSasl sasl = sasl(settings(List.of(), null, false, false));
        SaslClient client = Sasl.createSaslClient(new String[] {"DIGEST-MD5"}, "bob", "zookeeper", "zk-sasl-md5", null,
                (Callback[] callbacks) -> {
                    for (Callback c : callbacks) {
                        if (c instanceof NameCallback n) {
                            n.setName("bob");
                        } else if (c instanceof PasswordCallback p) {
                            p.setPassword("bob-secret".toCharArray());
                        } else if (c instanceof RealmCallback r) {
                            r.setText(r.getDefaultText());
                        }
                    }
                });
        ClientSasl.Exchange exchange = sasl.newExchange();
        try {
            SaslStep challenge = sasl.evaluate(exchange, new byte[0], "peer");
            byte[] response = client.evaluateChallenge(challenge.challenge());
            assertEquals("bob", sasl.evaluate(exchange, response, "peer").authorizedId());
            assertEquals(Code.AUTH_FAILED, sasl.evaluate(exchange, response, "peer").err(), "the same response again");
        } finally {
            exchange.dispose();
        }
    }

    @Test
    void aMalformedResponseFailsTheExchange() throws Exception {
        ClientSasl sasl = sasl(settings(List.of(), null, false, false));
        ClientSasl.Exchange exchange = sasl.newExchange();
        try {
            SaslStep first = sasl.evaluate(exchange, new byte[0], "peer");
            assertEquals(Code.OK, first.err());
            assertEquals(Code.AUTH_FAILED, sasl.evaluate(exchange, new byte[] {1, 2, 3}, "peer").err(),
                    "not a digest response");
        } finally {
            exchange.dispose();
        }
    }

    @Test
    void jaasSectionsAreTakenOrRefusedAsZooKeeperDoesOrSaysWhy() {
        ClientSasl.Settings defaults = ClientSasl.Settings.DEFAULTS;
        assertNull(ClientSasl.load(defaults, null, () -> jaas("Client")), "no Server section: no SASL");
        assertNull(ClientSasl.load(defaults, null, () -> {
            throw new SecurityException("no login configuration");
        }), "no JAAS file at all: no SASL, as in ZooKeeper");
        ClientSasl.SaslConfigException unreadable = assertThrows(ClientSasl.SaslConfigException.class,
                () -> ClientSasl.load(defaults, "/etc/zk/jaas.conf", () -> {
                    throw new SecurityException("cannot read it");
                }));
        assertTrue(unreadable.getMessage().contains("'/etc/zk/jaas.conf'"), unreadable.getMessage());
        ClientSasl.Settings named = new ClientSasl.Settings("ZkServer", true, List.of(), null, false, false, false, false);
        assertThrows(ClientSasl.SaslConfigException.class, () -> ClientSasl.load(named, null, () -> {
            throw new SecurityException("cannot read it");
        }), "sasl.serverconfig named a section: it must be there");
        assertNotNull(ClientSasl.load(named, null, () -> jaas("ZkServer",
                entry(ClientSasl.DIGEST_LOGIN_MODULE, Map.of("user_a", "b")))));

        // A Kerberos login that fails (here: a keytab that is not there) stops the start, saying so.
        ClientSasl.SaslConfigException kerberos = assertThrows(ClientSasl.SaslConfigException.class,
                () -> ClientSasl.load(defaults, null, () -> jaas("Server",
                        entry("com.sun.security.auth.module.Krb5LoginModule", Map.of("useKeyTab", "true",
                                "keyTab", "/nonexistent/paddock.keytab", "principal", "zookeeper/localhost@EXAMPLE.COM",
                                "doNotPrompt", "true", "useTicketCache", "false", "storeKey", "true")))));
        assertTrue(kerberos.getMessage().contains("Kerberos login of JAAS section 'Server' failed"), kerberos.getMessage());
        ClientSasl.SaslConfigException other = assertThrows(ClientSasl.SaslConfigException.class,
                () -> ClientSasl.load(defaults, null, () -> jaas("Server",
                        entry("com.example.MyLoginModule", Map.of()))));
        assertTrue(other.getMessage().contains("com.example.MyLoginModule"), other.getMessage());
    }

    /** ZooKeeper's SaslServerCallbackHandler with the DEFAULT rule, with the default realm "R". */
    @Test
    void authorizedIdsFollowZooKeepersKerberosNameRules() {
        assertEquals("bob", ClientSasl.authorizedId("bob", false, false, "R"));
        assertEquals("a/b", ClientSasl.authorizedId("a/b", true, true, "R"), "no '@': the whole name, host and all");
        assertEquals("zk/host@R", ClientSasl.authorizedId("zk/host@R", false, false, "R"));
        assertEquals("zk@R", ClientSasl.authorizedId("zk/host@R", true, false, "R"));
        assertEquals("zk/host", ClientSasl.authorizedId("zk/host@R", false, true, "R"));
        assertEquals("zk", ClientSasl.authorizedId("zk/host@R", true, true, "R"));
        assertEquals("zk/host@OTHER", ClientSasl.authorizedId("zk/host@OTHER", true, true, "R"),
                "no rule for another realm: kept whole");
        assertEquals("bob@X", ClientSasl.authorizedId("bob@X", true, true, ""), "no default realm: no rule applies");
        assertThrows(IllegalArgumentException.class, () -> ClientSasl.authorizedId("a@b@c", false, false, "R"));
    }
}
