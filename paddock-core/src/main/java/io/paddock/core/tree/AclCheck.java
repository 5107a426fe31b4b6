package io.paddock.core.tree;

import io.paddock.core.wire.Acl;
import io.paddock.core.wire.Code;
import io.paddock.core.wire.Id;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * ACL decisions with ZooKeeper's default providers: world:anyone, digest (user:base64(sha1))
 * and ip (address or CIDR, IPv4 and IPv6). The `auth` scheme exists only in requests: fixup
 * expands it to the session's authenticated (digest) ids.
 */
public final class AclCheck {
    public static final String WORLD = "world";
    public static final String ANYONE = "anyone";
    public static final String AUTH = "auth";
    public static final String DIGEST = "digest";
    public static final String IP = "ip";
    public static final String SUPER = "super";
    /** The certificate subject of a TLS client (ZooKeeper's X509AuthenticationProvider). */
    public static final String X509 = "x509";
    /** The id a SASL exchange proved (ZooKeeper's SASLAuthenticationProvider). */
    public static final String SASL = "sasl";

    private AclCheck() {}

    /** An ACL list a create or setACL may not use; the request fails with {@link Code#INVALID_ACL}. */
    public static final class InvalidAclException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final int code;

        public InvalidAclException(String message) {
            this(Code.INVALID_ACL, message);
        }

        private InvalidAclException(int code, String message) {
            super(message);
            this.code = code;
        }

        /**
         * An entry ZooKeeper cannot even compare or look at (a null id where its fixupACL calls a
         * method on it): ZooKeeper answers MARSHALLINGERROR there, not InvalidACL.
         */
        static InvalidAclException malformed(String message) {
            return new InvalidAclException(Code.MARSHALLING_ERROR, message);
        }

        /** The error code to reply with: INVALID_ACL, or MARSHALLING_ERROR for {@link #malformed}. */
        public int code() {
            return code;
        }
    }

    /**
     * Whether a client with {@code authIds} may do {@code perm} on a node with {@code acl}.
     * As ZooKeeper: an empty or null ACL permits all, and so does a super id.
     */
    public static boolean permitted(List<Acl> acl, int perm, List<Id> authIds, boolean isSuper) {
        return permitted(acl, perm, authIds, isSuper, AuthSchemes.NONE);
    }

    /**
     * As {@link #permitted(List, int, List, boolean)}; {@code schemes}: the providers this server
     * has beyond the defaults. Without ZooKeeper's X509AuthenticationProvider (or its
     * SASLAuthenticationProvider) an x509 (or sasl) entry matches nobody, as ZooKeeper finds no
     * provider for its scheme, whatever ids of it a request forwarded from another server carries.
     */
    public static boolean permitted(List<Acl> acl, int perm, List<Id> authIds, boolean isSuper, AuthSchemes schemes) {
        if (isSuper || acl == null || acl.isEmpty()) {
            return true;
        }
        // Indexed loops: this runs for every request, and the lists are small and random-access.
        for (int i = 0; i < authIds.size(); i++) {
            if (SUPER.equals(authIds.get(i).scheme())) {
                return true;
            }
        }
        for (int i = 0; i < acl.size(); i++) {
            Acl entry = acl.get(i);
            if ((entry.perms() & perm) != 0 && grants(entry.id(), authIds, schemes)) {
                return true;
            }
        }
        return false;
    }

    private static boolean grants(Id aclId, List<Id> authIds, AuthSchemes schemes) {
        if (WORLD.equals(aclId.scheme()) && ANYONE.equals(aclId.id())) {
            return true;
        }
        for (Id authId : authIds) {
            if (!aclId.scheme().equals(authId.scheme())) {
                continue;
            }
            if (DIGEST.equals(aclId.scheme()) && aclId.id().equals(authId.id())) {
                return true;
            }
            if (IP.equals(aclId.scheme()) && IpAddress.matches(authId.id(), aclId.id())) {
                return true;
            }
            if (schemes.x509() && X509.equals(aclId.scheme()) && aclId.id().equals(authId.id())) {
                return true;
            }
            if (schemes.sasl() && SASL.equals(aclId.scheme())
                    && (authId.id().equals(aclId.id()) || authId.id().equals(SUPER)
                        || aclId.id().equals(schemes.saslAnyUser()))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The ACL a create or setACL stores: duplicates dropped, `auth` entries expanded to the
     * session's digest ids; throws {@link InvalidAclException} for an empty list, an `auth`
     * entry without authenticated ids, an unknown scheme or a malformed id.
     *
     * <p>Null fields (jute null strings and vectors) are judged as ZooKeeper 3.9 judges them:
     * a null list or a null scheme is INVALID_ACL; an `auth` entry's id is never looked at, so
     * a null one (kazoo writes its CREATOR_ALL_ACL's empty id as null) expands like any other;
     * a null id of world, digest or ip is MARSHALLING_ERROR (ZooKeeper fails on it with a
     * NullPointerException and answers that), and of an unknown scheme INVALID_ACL. Dropping
     * duplicates compares each entry with the ones before it as ZooKeeper's ACL.equals does,
     * which fails the same way on a null scheme, or a null id under an equal scheme, when the
     * permissions are equal.
     */
    public static List<Acl> fixup(List<Acl> acls, List<Id> authIds) {
        return fixup(acls, authIds, AuthSchemes.NONE);
    }

    /**
     * As {@link #fixup(List, List)}, with the providers {@code schemes} names: with ZooKeeper's
     * X509AuthenticationProvider, {@code x509} entries are valid where the id is an X.500 name;
     * with its SASLAuthenticationProvider, {@code sasl} entries where KerberosName parses the id;
     * and an {@code auth} entry stands for the connection's ids of those schemes as well as its
     * digest ones.
     */
    public static List<Acl> fixup(List<Acl> acls, List<Id> authIds, AuthSchemes schemes) {
        if (isStoredAsIs(acls)) {
            return acls; // nearly every create: world:anyone, nothing to drop or expand
        }
        if (acls == null || acls.isEmpty()) {
            throw new InvalidAclException("empty ACL");
        }
        List<Acl> unique = new ArrayList<>();
        for (Acl acl : acls) {
            if (!containsAsZooKeeper(unique, acl)) {
                unique.add(acl);
            }
        }
        List<Acl> fixed = new ArrayList<>();
        for (Acl acl : unique) {
            String scheme = acl.id().scheme();
            if (scheme == null) {
                throw new InvalidAclException("ACL entry without a scheme");
            }
            if (WORLD.equals(scheme) && acl.id().id() == null) {
                throw InvalidAclException.malformed("world ACL entry with a null id");
            }
            if (AUTH.equals(scheme)) {
                fixed.addAll(expandAuth(acl.perms(), authIds, schemes));
            } else if (!schemes.known(scheme)) {
                throw new InvalidAclException("unknown ACL scheme " + scheme);
            } else if (acl.id().id() == null) {
                throw InvalidAclException.malformed(scheme + " ACL entry with a null id");
            } else if (switch (scheme) {
                case X509 -> isX500Name(acl.id().id());
                case SASL -> isKerberosName(acl.id().id());
                default -> isValid(acl.id());
            }) {
                fixed.add(acl);
            } else {
                throw new InvalidAclException("invalid ACL id " + scheme + ":" + acl.id().id());
            }
        }
        return fixed;
    }

    /** {@code list.contains(acl)} as ZooKeeper's generated ACL.equals and Id.equals decide it. */
    private static boolean containsAsZooKeeper(List<Acl> list, Acl acl) {
        for (Acl earlier : list) {
            if (earlier.perms() != acl.perms()) {
                continue;
            }
            String scheme = acl.id().scheme();
            if (scheme == null) {
                throw InvalidAclException.malformed("ACL entry without a scheme after an entry with equal perms");
            }
            if (!scheme.equals(earlier.id().scheme())) {
                continue;
            }
            if (acl.id().id() == null) {
                throw InvalidAclException.malformed("ACL entry with a null id after one of the same scheme");
            }
            if (acl.id().id().equals(earlier.id().id())) {
                return true;
            }
        }
        return false;
    }

    /** A non-empty list of complete, valid, distinct entries with no `auth` entry: fixup would copy it unchanged. */
    private static boolean isStoredAsIs(List<Acl> acls) {
        if (acls == null || acls.isEmpty() || acls.size() > 8) {
            return false;
        }
        for (int i = 0; i < acls.size(); i++) {
            Acl acl = acls.get(i);
            if (acl == null || acl.id() == null || acl.id().scheme() == null || acl.id().id() == null
                    || AUTH.equals(acl.id().scheme()) || !isValid(acl.id())) {
                return false;
            }
            for (int j = 0; j < i; j++) {
                if (acls.get(j).equals(acl)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static List<Acl> expandAuth(int perms, List<Id> authIds, AuthSchemes schemes) {
        List<Acl> expanded = new ArrayList<>();
        for (Id authId : authIds) {
            // Only providers that authenticate (digest; x509 and sasl where this server has them)
            // count; ip ids and super do not. A request forwarded from another server may carry x509
            // or sasl ids this one has no provider for: ZooKeeper skips them.
            if (DIGEST.equals(authId.scheme()) || schemes.x509() && X509.equals(authId.scheme())
                    || schemes.sasl() && SASL.equals(authId.scheme())) {
                expanded.add(new Acl(perms, authId));
            }
        }
        if (expanded.isEmpty()) {
            throw new InvalidAclException("auth scheme used without authenticated ids");
        }
        return expanded;
    }

    private static boolean isValid(Id id) {
        return switch (id.scheme()) {
            case WORLD -> ANYONE.equals(id.id());
            // String.split drops trailing empties: ZooKeeper accepts "a:b:" and rejects "a:".
            case DIGEST -> id.id().split(":").length == 2;
            case IP -> IpAddress.isValidExpression(id.id());
            default -> false;
        };
    }

    /** ZooKeeper's X509AuthenticationProvider.isValid: the id parses as an X.500 name. */
    private static boolean isX500Name(String id) {
        try {
            new javax.security.auth.x500.X500Principal(id);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * ZooKeeper's SASLAuthenticationProvider.isValid: KerberosName takes the id, that is, one
     * without '@', or of the form {@code name[/host]@realm} with no other '/' or '@'.
     */
    static boolean isKerberosName(String id) {
        return id.indexOf('@') < 0 || KERBEROS_NAME.matcher(id).matches();
    }

    /** ZooKeeper's KerberosName parser: name, an optional /host, then @realm. */
    public static final java.util.regex.Pattern KERBEROS_NAME = java.util.regex.Pattern.compile("([^/@]*)(/([^/@]*))?@([^/@]*)");

    /** The digest id for "user:password": "user:" + base64(sha1("user:password")). */
    public static String digest(String userColonPassword) {
        String user = userColonPassword.split(":", 2)[0];
        byte[] hash = sha1().digest(userColonPassword.getBytes(StandardCharsets.UTF_8));
        return user + ":" + Base64.getEncoder().encodeToString(hash);
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK must provide SHA-1", e);
        }
    }
}
