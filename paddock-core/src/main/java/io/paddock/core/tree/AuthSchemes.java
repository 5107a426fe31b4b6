package io.paddock.core.tree;

/**
 * The authentication providers a server has beyond ZooKeeper's defaults (world, digest, ip),
 * which decide whether ACL entries of their scheme are valid and whom they grant.
 *
 * @param x509 ZooKeeper's X509AuthenticationProvider ({@code authProvider.N} naming it, or a
 *     secureClientPort): {@code x509} entries are valid for X.500 names and match a TLS client's
 *     certificate subject
 * @param sasl ZooKeeper's SASLAuthenticationProvider ({@code authProvider.N} naming it): {@code
 *     sasl} entries are valid for names ZooKeeper's KerberosName parses, and match a connection's
 *     SASL id, as its {@code matches}: the same id, or the id {@code super}, or any SASL id where
 *     the entry names {@code saslAnyUser}
 * @param saslAnyUser ZooKeeper's {@code zookeeper.letAnySaslUserDoX}: a {@code sasl} entry naming
 *     it grants every SASL-authenticated connection; null for none
 */
public record AuthSchemes(boolean x509, boolean sasl, String saslAnyUser) {
    /** ZooKeeper's defaults only. */
    public static final AuthSchemes NONE = new AuthSchemes(false, false, null);

    /** With or without x509, nothing else. */
    public static AuthSchemes x509(boolean on) {
        return on ? new AuthSchemes(true, false, null) : NONE;
    }

    /** Whether a provider for {@code scheme} is there: the defaults, and x509 or sasl where configured. */
    public boolean known(String scheme) {
        return switch (scheme) {
            case AclCheck.WORLD, AclCheck.DIGEST, AclCheck.IP -> true;
            case AclCheck.X509 -> x509;
            case AclCheck.SASL -> sasl;
            default -> false;
        };
    }
}
