package io.paddock.core.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.wire.Acl;
import io.paddock.core.wire.Code;
import io.paddock.core.wire.Id;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.server.PrepRequestProcessor;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.apache.zookeeper.server.auth.IPAuthenticationProvider;
import org.junit.jupiter.api.Test;

/**
 * Proves ACL decisions match ZooKeeper's default providers: world, digest and ip (exact and
 * CIDR, IPv4 and IPv6, compared with IPAuthenticationProvider on many inputs), super ids,
 * digest values (compared with DigestAuthenticationProvider.generateDigest) and create/setACL
 * fixup (compared with PrepRequestProcessor.fixupACL).
 */
class AclCheckTest {
    private static final Id ALICE = new Id("digest", AclCheck.digest("alice:secret"));
    private static final Id BOB = new Id("digest", AclCheck.digest("bob:secret"));
    private static final Id LOCALHOST = new Id("ip", "127.0.0.1");

    /**
     * With ZooKeeper's SASLAuthenticationProvider: sasl ids valid as its isValid (KerberosName)
     * judges them, matched as its matches (the same id, the id super, or any id where the entry
     * names letAnySaslUserDoX's user), and an auth entry standing for the SASL ids; without the
     * provider a sasl entry is InvalidACL and matches no one.
     */
    @Test
    void saslEntriesAreValidAndMatchAsZooKeepersSaslProvider() {
        org.apache.zookeeper.server.auth.SASLAuthenticationProvider zk =
                new org.apache.zookeeper.server.auth.SASLAuthenticationProvider();
        AuthSchemes sasl = new AuthSchemes(false, true, null);
        for (String id : List.of("bob", "", "a/b", "a/b/c", "bob@EXAMPLE.COM", "zk/host@EXAMPLE.COM", "a@b@c",
                "a/b/c@R", "@", "/@", "a@", "@R", "a/@R", "x y@R", "a/b@c/d")) {
            assertEquals(zk.isValid(id), AclCheck.isKerberosName(id), id);
            List<Acl> entry = List.of(new Acl(Acl.ALL, new Id("sasl", id)));
            if (zk.isValid(id)) {
                assertEquals(entry, AclCheck.fixup(entry, List.of(), sasl), id);
            } else {
                assertThrows(AclCheck.InvalidAclException.class, () -> AclCheck.fixup(entry, List.of(), sasl), id);
            }
        }
        assertThrows(AclCheck.InvalidAclException.class,
                () -> AclCheck.fixup(List.of(new Acl(Acl.ALL, new Id("sasl", "bob"))), List.of(), AuthSchemes.NONE),
                "no provider: an unknown scheme");

        String anyUser = "zookeeper.letAnySaslUserDoX";
        for (String letAny : new String[] {null, "everyone"}) {
            if (letAny == null) {
                System.clearProperty(anyUser);
            } else {
                System.setProperty(anyUser, letAny);
            }
            try {
                AuthSchemes schemes = new AuthSchemes(false, true, letAny);
                for (String[] pair : new String[][] {{"bob", "bob"}, {"bob", "carol"}, {"super", "carol"},
                        {"bob", "everyone"}, {"bob@R", "bob"}, {"", ""}}) {
                    boolean granted = AclCheck.permitted(List.of(new Acl(Acl.READ, new Id("sasl", pair[1]))), Acl.READ,
                            List.of(LOCALHOST, new Id("sasl", pair[0])), false, schemes);
                    assertEquals(zk.matches(pair[0], pair[1]), granted, letAny + ": " + String.join(" on ", pair));
                    assertFalse(AclCheck.permitted(List.of(new Acl(Acl.READ, new Id("sasl", pair[1]))), Acl.READ,
                            List.of(new Id("sasl", pair[0])), false, AuthSchemes.NONE), "no provider, no match");
                }
            } finally {
                System.clearProperty(anyUser);
            }
        }

        List<Acl> creatorAll = List.of(new Acl(Acl.ALL, new Id("auth", "")));
        assertEquals(List.of(new Acl(Acl.ALL, ALICE), new Acl(Acl.ALL, new Id("sasl", "bob"))),
                AclCheck.fixup(creatorAll, List.of(LOCALHOST, ALICE, new Id("sasl", "bob")), sasl));
        assertEquals(List.of(new Acl(Acl.ALL, ALICE)),
                AclCheck.fixup(creatorAll, List.of(LOCALHOST, ALICE, new Id("sasl", "bob")), AuthSchemes.NONE),
                "ids without a provider here are skipped, as ZooKeeper's fixupACL skips them");
        assertThrows(AclCheck.InvalidAclException.class,
                () -> AclCheck.fixup(creatorAll, List.of(new Id("sasl", "bob")), AuthSchemes.NONE));
    }

    @Test
    void worldAnyoneGrantsOnlyItsPermissions() {
        assertTrue(AclCheck.permitted(Acl.READ_ONLY, Acl.READ, List.of(), false));
        assertFalse(AclCheck.permitted(Acl.READ_ONLY, Acl.WRITE, List.of(LOCALHOST), false));
        assertTrue(AclCheck.permitted(Acl.OPEN, Acl.ADMIN, List.of(), false));
        List<Acl> worldOther = List.of(new Acl(Acl.ALL, new Id("world", "someone")));
        assertFalse(AclCheck.permitted(worldOther, Acl.READ, List.of(new Id("world", "someone")), false));
    }

    @Test
    void digestMatchesTheAuthenticatedIdExactly() {
        List<Acl> acl = List.of(new Acl(Acl.READ | Acl.WRITE, ALICE));
        assertTrue(AclCheck.permitted(acl, Acl.WRITE, List.of(LOCALHOST, ALICE), false));
        assertFalse(AclCheck.permitted(acl, Acl.DELETE, List.of(ALICE), false));
        assertFalse(AclCheck.permitted(acl, Acl.READ, List.of(BOB, LOCALHOST), false));
        assertFalse(AclCheck.permitted(acl, Acl.READ, List.of(new Id("ip", ALICE.id())), false));
    }

    @Test
    void superAndEmptyAclsPermitEverything() {
        List<Acl> acl = List.of(new Acl(Acl.READ, ALICE));
        assertTrue(AclCheck.permitted(acl, Acl.ADMIN, List.of(), true));
        assertTrue(AclCheck.permitted(acl, Acl.ADMIN, List.of(new Id("super", "")), false));
        assertTrue(AclCheck.permitted(List.of(), Acl.ADMIN, List.of(), false));
    }

    @Test
    void ipMatchesAddressesAndNetworks() {
        assertTrue(ipPermits("127.0.0.1", "127.0.0.1"));
        assertFalse(ipPermits("127.0.0.1", "127.0.0.2"));
        assertTrue(ipPermits("10.0.0.0/8", "10.200.3.4"));
        assertFalse(ipPermits("10.0.0.0/8", "11.0.0.1"));
        assertTrue(ipPermits("192.168.1.128/25", "192.168.1.200"));
        assertFalse(ipPermits("192.168.1.128/25", "192.168.1.100"));
        assertTrue(ipPermits("0.0.0.0/0", "8.8.8.8"));
        assertFalse(ipPermits("10.0.0.0/33", "10.0.0.0"));
        assertTrue(ipPermits("::1", "0:0:0:0:0:0:0:1"));
        assertTrue(ipPermits("2001:db8::/32", "2001:db8:1:2:3:4:5:6"));
        assertFalse(ipPermits("2001:db8::/32", "2001:db9::1"));
        assertTrue(ipPermits("fe80::1:2/112", "fe80::1:ffff"));
        assertFalse(ipPermits("::/0", "10.0.0.1"));
        assertFalse(ipPermits("10.0.0.1", "::1"));
    }

    @Test
    void ipAgreesWithZooKeeperOnManyInputs() {
        IPAuthenticationProvider zk = new IPAuthenticationProvider();
        Random rnd = new Random(7);
        List<String> samples = new ArrayList<>(List.of("", ".", ":", "::", ":::", "1.2.3", "1.2.3.4.5",
                "256.1.1.1", "-0.0.0.0", "+1.2.3.4", "01.002.0003.4", "1::2::3", "1:2:3:4:5:6:7:8",
                "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::", "::ffff:1.2.3.4", "12345::", "g::1", "a.b.c.d"));
        for (int i = 0; i < 3000; i++) {
            samples.add(randomAddress(rnd));
        }
        int matched = 0;
        for (String network : samples) {
            for (String suffix : new String[] {"", "/0", "/7", "/8", "/31", "/32", "/33", "/64", "/128", "/129", "/-1", "/x"}) {
                String expr = network + suffix;
                assertEquals(zk.isValid(expr), IpAddress.isValidExpression(expr), "isValid " + expr);
                String client = samples.get(rnd.nextInt(samples.size()));
                assertEquals(zk.matches(client, expr), IpAddress.matches(client, expr), client + " in " + expr);
                assertEquals(zk.matches(network, expr), IpAddress.matches(network, expr), network + " in " + expr);
                matched += IpAddress.matches(network, expr) ? 1 : 0;
            }
        }
        assertTrue(matched > 3000, "too few matching samples: " + matched);
    }

    @Test
    void digestMatchesZooKeeper() throws NoSuchAlgorithmException {
        for (String secret : List.of("alice:secret", "super:test", "u:", ":p", "user:pa:ss", "nocolon", "ünï:cødé", "")) {
            assertEquals(DigestAuthenticationProvider.generateDigest(secret), AclCheck.digest(secret), secret);
        }
        assertEquals("super:D/InIHSb7yEEbrWz8b9l71RjZJU=", AclCheck.digest("super:test"));
    }

    @Test
    void fixupExpandsAuthAndRejectsWhatZooKeeperRejects() {
        List<Acl> auth = List.of(new Acl(Acl.ALL, new Id("auth", "")));
        assertEquals(List.of(new Acl(Acl.ALL, ALICE), new Acl(Acl.ALL, BOB)),
                AclCheck.fixup(auth, List.of(LOCALHOST, ALICE, BOB)));
        assertInvalid(auth, List.of(LOCALHOST));
        assertInvalid(auth, List.of(new Id("super", "")));
        assertInvalid(List.of(), List.of(ALICE));
        assertInvalid(null, List.of(ALICE));
        assertInvalid(List.of(new Acl(Acl.ALL, new Id("world", "everyone"))), List.of());
        assertInvalid(List.of(new Acl(Acl.ALL, new Id("sasl", "bob"))), List.of());
        assertInvalid(List.of(new Acl(Acl.ALL, new Id("digest", "nohash"))), List.of());
        assertInvalid(List.of(new Acl(Acl.ALL, new Id("ip", "10.0.0.300"))), List.of());
        assertInvalid(List.of(new Acl(Acl.ALL, new Id("ip", "10.0.0.0/40"))), List.of());
        assertEquals(Acl.OPEN, AclCheck.fixup(List.of(Acl.OPEN.get(0), Acl.OPEN.get(0)), List.of()));
    }

    @Test
    void fixupAgreesWithZooKeeper() {
        List<Id> ids = List.of(new Id("world", "anyone"), new Id("world", "x"), new Id("auth", ""),
                new Id("auth", "ignored"), new Id("digest", "a:b"), new Id("digest", "a:"), new Id("digest", "a:b:"),
                new Id("digest", "a:b:c"), new Id("ip", "1.2.3.4"), new Id("ip", "1.2.3.4/24"), new Id("ip", "::1/200"),
                new Id("ip", "host"), new Id("super", ""), new Id("x509", "CN=a"));
        List<List<Id>> sessions = List.of(List.of(), List.of(LOCALHOST), List.of(LOCALHOST, ALICE), List.of(ALICE, BOB));
        Random rnd = new Random(3);
        for (int i = 0; i < 2000; i++) {
            List<Acl> acl = new ArrayList<>();
            for (int n = rnd.nextInt(4); n > 0; n--) {
                acl.add(new Acl(1 + rnd.nextInt(31), ids.get(rnd.nextInt(ids.size()))));
            }
            List<Id> session = sessions.get(rnd.nextInt(sessions.size()));
            assertEquals(zooKeeperFixup(acl, session), ourFixup(acl, session), acl + " for " + session);
        }
    }

    /**
     * Null scheme and id fields (jute null strings; kazoo writes "" as null) against ZooKeeper's
     * own fixupACL: where it fails with a NullPointerException it answers MARSHALLINGERROR, so
     * ours must say MARSHALLING_ERROR exactly there, and INVALID_ACL or the same list elsewhere.
     */
    @Test
    void fixupTreatsNullFieldsAsZooKeeperDoes() {
        List<Id> ids = Arrays.asList(new Id("world", "anyone"), new Id(null, "anyone"), new Id("world", null),
                new Id("auth", null), new Id("auth", ""), new Id("digest", null), new Id("digest", "a:b"),
                new Id("ip", null), new Id("sasl", null), new Id(null, null));
        List<List<Id>> sessions = List.of(List.of(), List.of(LOCALHOST), List.of(ALICE), List.of(ALICE, BOB));
        Random rnd = new Random(5);
        for (int i = 0; i < 3000; i++) {
            List<Acl> acl = new ArrayList<>();
            for (int n = rnd.nextInt(4); n > 0; n--) {
                acl.add(new Acl(rnd.nextBoolean() ? Acl.ALL : 1 + rnd.nextInt(31), ids.get(rnd.nextInt(ids.size()))));
            }
            List<Id> session = sessions.get(rnd.nextInt(sessions.size()));
            assertEquals(zooKeeperFixup(acl, session), ourFixup(acl, session), acl + " for " + session);
        }
        List<Acl> kazooCreatorAll = List.of(new Acl(Acl.ALL, new Id("auth", null)));
        assertEquals(List.of(new Acl(Acl.ALL, ALICE)), AclCheck.fixup(kazooCreatorAll, List.of(LOCALHOST, ALICE)));
        // A null list: ZooKeeper's fixupACL alone would fail on it, but its create and setACL
        // refuse it as InvalidACL before (NullFieldsConformanceTest shows it on the wire).
        assertEquals("INVALID_ACL", ourFixup(null, List.of(ALICE)));
    }

    private static boolean ipPermits(String expr, String client) {
        return AclCheck.permitted(List.of(new Acl(Acl.READ, new Id("ip", expr))), Acl.READ,
                List.of(new Id("ip", client)), false);
    }

    private static void assertInvalid(List<Acl> acl, List<Id> authIds) {
        AclCheck.InvalidAclException e = assertThrows(AclCheck.InvalidAclException.class, () -> AclCheck.fixup(acl, authIds));
        assertEquals(Code.INVALID_ACL, e.code());
    }

    private static String ourFixup(List<Acl> acl, List<Id> authIds) {
        try {
            return AclCheck.fixup(acl, authIds).toString();
        } catch (AclCheck.InvalidAclException e) {
            return e.code() == Code.INVALID_ACL ? "INVALID_ACL" : "MARSHALLING_ERROR";
        }
    }

    private static String zooKeeperFixup(List<Acl> acl, List<Id> authIds) {
        try {
            return ZkOracle.fromZkAcl(PrepRequestProcessor.fixupACL("/p", ZkOracle.toZkIds(authIds), ZkOracle.toZk(acl))).toString();
        } catch (KeeperException.InvalidACLException e) {
            return "INVALID_ACL";
        } catch (NullPointerException e) {
            return "MARSHALLING_ERROR"; // what ZooKeeper's PrepRequestProcessor answers it with
        }
    }

    private static String randomAddress(Random rnd) {
        if (rnd.nextBoolean()) {
            int[] pool = {0, 1, 10, 127, 128, 192, 255, 256};
            return pool[rnd.nextInt(pool.length)] + "." + pool[rnd.nextInt(pool.length)] + "."
                    + rnd.nextInt(3) + "." + pool[rnd.nextInt(pool.length)];
        }
        String[] segments = {"0", "1", "db8", "2001", "ffff", "fe80", "FFFF", "abcd", "10000", ""};
        StringBuilder sb = new StringBuilder();
        int count = rnd.nextInt(9);
        for (int i = 0; i < count; i++) {
            sb.append(segments[rnd.nextInt(segments.length)]);
            if (i < count - 1) {
                sb.append(rnd.nextInt(4) == 0 ? "::" : ":");
            }
        }
        return rnd.nextInt(3) == 0 ? "::" + sb : sb.toString();
    }
}
