package io.paddock.server.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Whether a peer's certificate names the address it connected from or was reached at, as
 * ZooKeeper's ZKTrustManager and ZKHostnameVerifier decide it (RFC 2818's rules):
 * <ul>
 * <li>the address first: an IPv4 literal must equal an IP subject alternative name as written, an
 *     IPv6 literal one with the same address;</li>
 * <li>then, where that fails, the host name: the one the address was looked up from (the name in
 *     zoo.cfg, for a connection this server opens), or, for a bare address, its reverse lookup
 *     where allowed ({@code ssl.quorum.allowReverseDnsLookup}, on by default between servers);</li>
 * <li>a name matches a DNS alternative name case-insensitively, with at most one {@code *} that
 *     stands for part of one label ({@code *.example.com} matches {@code a.example.com}, not
 *     {@code a.b.example.com});</li>
 * <li>the subject's most specific common name is used only when the certificate has no DNS or IP
 *     alternative names at all.</li>
 * </ul>
 */
public final class PeerNames {
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    private PeerNames() {}

    /** A certificate that does not name the peer. */
    static final class Mismatch extends Exception {
        private static final long serialVersionUID = 1L;

        Mismatch(String message) {
            super(message);
        }
    }

    /**
     * Checks that {@code cert} names {@code peer}: its address, else its host name (looked up in
     * reverse only where {@code reverseLookup}).
     */
    public static void check(InetAddress peer, X509Certificate cert, boolean reverseLookup) throws CertificateException {
        String address = peer.getHostAddress();
        Mismatch byAddress;
        try {
            matches(address, cert);
            return;
        } catch (Mismatch e) {
            byAddress = e;
        }
        // InetAddress.toString() starts with "/" when no name came with the address.
        boolean named = !peer.toString().startsWith("/");
        if (!named && !reverseLookup) {
            throw new CertificateException("the peer's certificate does not name its address, and reverse lookups are"
                    + " off (allowReverseDnsLookup=false): " + byAddress.getMessage());
        }
        String name = peer.getHostName(); // a reverse lookup where it was not named
        try {
            matches(name, cert);
        } catch (Mismatch e) {
            throw new CertificateException("the peer's certificate names neither its address nor its host name: "
                    + byAddress.getMessage() + "; " + e.getMessage());
        }
    }

    /** Throws {@link Mismatch} unless {@code host} (an IP literal or a DNS name) is named by {@code cert}. */
    static void matches(String host, X509Certificate cert) throws Mismatch {
        List<String> ips = new ArrayList<>();
        List<String> dnsNames = new ArrayList<>();
        alternativeNames(cert, ips, dnsNames);
        boolean ipv4 = isIpv4(host);
        boolean ipv6 = !ipv4 && host.indexOf(':') >= 0;
        if (ips.isEmpty() && dnsNames.isEmpty()) {
            String cn = mostSpecificCommonName(cert);
            if (cn == null) {
                throw new Mismatch("the certificate for <" + host + "> has neither alternative names nor a common name");
            }
            if (!nameMatches(host.toLowerCase(Locale.ROOT), cn.toLowerCase(Locale.ROOT))) {
                throw new Mismatch("<" + host + "> is not the certificate's common name " + cn);
            }
            return;
        }
        if (ipv4) {
            if (ips.contains(host)) {
                return;
            }
        } else if (ipv6) {
            byte[] wanted = ipv6Bytes(host);
            for (String ip : ips) {
                byte[] named = ipv6Bytes(ip);
                if (wanted != null && named != null && java.util.Arrays.equals(wanted, named)) {
                    return;
                }
            }
        } else {
            String lower = host.toLowerCase(Locale.ROOT);
            for (String dns : dnsNames) {
                if (nameMatches(lower, dns.toLowerCase(Locale.ROOT))) {
                    return;
                }
            }
        }
        throw new Mismatch("<" + host + "> is not among the certificate's alternative names " + ips + " " + dnsNames);
    }

    /** RFC 2818 with one wildcard, which may not stand for a dot. */
    static boolean nameMatches(String host, String pattern) {
        int star = pattern.indexOf('*');
        if (star < 0) {
            return host.equals(pattern);
        }
        String prefix = pattern.substring(0, star);
        String suffix = pattern.substring(star + 1);
        if (host.length() < prefix.length() + suffix.length() || !host.startsWith(prefix) || !host.endsWith(suffix)) {
            return false;
        }
        return host.substring(prefix.length(), host.length() - suffix.length()).indexOf('.') < 0;
    }

    private static boolean isIpv4(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)
                    || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    /** The 16 bytes of an IPv6 literal, or null if it is not one (never a lookup: literals only). */
    private static byte[] ipv6Bytes(String literal) {
        if (literal.indexOf(':') < 0 || !literal.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
            return null;
        }
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static void alternativeNames(X509Certificate cert, List<String> ips, List<String> dnsNames) {
        Collection<List<?>> names;
        try {
            names = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return; // as none
        }
        if (names == null) {
            return;
        }
        for (List<?> entry : names) {
            if (entry.size() < 2 || !(entry.get(0) instanceof Integer type) || !(entry.get(1) instanceof String value)) {
                continue;
            }
            if (type == SAN_IP) {
                ips.add(value);
            } else if (type == SAN_DNS) {
                dnsNames.add(value);
            }
        }
    }

    /** The first CN in the subject as RFC 2253 writes it (the most specific one), or null. */
    private static String mostSpecificCommonName(X509Certificate cert) {
        try {
            List<Rdn> rdns = new LdapName(cert.getSubjectX500Principal().getName()).getRdns();
            for (int i = rdns.size() - 1; i >= 0; i--) { // getRdns lists the rightmost first
                if (rdns.get(i).getType().equalsIgnoreCase("cn") && rdns.get(i).getValue() != null) {
                    return rdns.get(i).getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            return null;
        }
        return null;
    }
}
