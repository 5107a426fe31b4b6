package io.paddock.server.net;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.server.TestCertificates;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The name rules of ZooKeeper's ZKHostnameVerifier, on certificates keytool made. */
class PeerNamesTest {
    @TempDir
    static Path dir;
    private static X509Certificate ipOnly;
    private static X509Certificate wildcard;
    private static X509Certificate noAlternatives;
    private static X509Certificate ipv6;

    @BeforeAll
    static void certificates() throws Exception {
        TestCertificates certs = TestCertificates.make(dir);
        ipOnly = cert(certs.issue(dir.resolve("ip.p12"), "CN=ignored.example.com", "SAN=IP:127.0.0.1"));
        wildcard = cert(certs.issue(dir.resolve("wild.p12"), "CN=ignored", "SAN=DNS:*.zk.example.com,DNS:zk1.other.org"));
        noAlternatives = cert(certs.issue(dir.resolve("cn.p12"), "CN=zk2.example.com,OU=CN-not-this,O=x", null));
        ipv6 = cert(certs.issue(dir.resolve("v6.p12"), "CN=v6", "SAN=IP:0:0:0:0:0:0:0:1"));
    }

    private static X509Certificate cert(Path p12) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            store.load(in, TestCertificates.PASSWORD.toCharArray());
        }
        return (X509Certificate) store.getCertificate("issued");
    }

    @Test
    void anAddressMustBeAnIpAlternativeName() {
        assertDoesNotThrow(() -> PeerNames.matches("127.0.0.1", ipOnly));
        assertThrows(PeerNames.Mismatch.class, () -> PeerNames.matches("127.0.0.2", ipOnly));
        assertThrows(PeerNames.Mismatch.class, () -> PeerNames.matches("ignored.example.com", ipOnly),
                "with alternative names the common name is not consulted");
        assertDoesNotThrow(() -> PeerNames.matches("::1", ipv6), "IPv6 compared as addresses");
        assertDoesNotThrow(() -> PeerNames.matches("0:0:0:0:0:0:0:1", ipv6));
        assertThrows(PeerNames.Mismatch.class, () -> PeerNames.matches("::2", ipv6));
    }

    @Test
    void aWildcardStandsForPartOfOneLabel() {
        assertDoesNotThrow(() -> PeerNames.matches("zk3.zk.example.com", wildcard));
        assertDoesNotThrow(() -> PeerNames.matches("ZK1.Other.ORG", wildcard), "case does not matter");
        assertThrows(PeerNames.Mismatch.class, () -> PeerNames.matches("a.b.zk.example.com", wildcard));
        assertThrows(PeerNames.Mismatch.class, () -> PeerNames.matches("zk.example.com", wildcard));
        assertTrue(PeerNames.nameMatches("zk1.example.com", "zk*.example.com"));
        assertFalse(PeerNames.nameMatches("a", "a*a"), "overlapping prefix and suffix");
    }

    @Test
    void theMostSpecificCommonNameOnlyWithoutAlternativeNames() {
        assertDoesNotThrow(() -> PeerNames.matches("zk2.example.com", noAlternatives));
        assertThrows(PeerNames.Mismatch.class, () -> PeerNames.matches("cn-not-this", noAlternatives));
    }

    @Test
    void theAddressFirstThenTheNameItCameWith() throws Exception {
        InetAddress named = InetAddress.getByAddress("zk3.zk.example.com", new byte[] {10, 0, 0, 3});
        PeerNames.check(named, wildcard, false); // the address fails, the name it was looked up by matches
        InetAddress bare = InetAddress.getByAddress(new byte[] {10, 0, 0, 3});
        CertificateException e = assertThrows(CertificateException.class, () -> PeerNames.check(bare, wildcard, false));
        assertTrue(e.getMessage().contains("reverse lookups are off"), e.getMessage());
        PeerNames.check(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), ipOnly, false);
    }
}
