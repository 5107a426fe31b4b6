package io.paddock.core;

import io.paddock.core.tree.AuthSchemes;

/**
 * The part of the configuration a core needs, parsed once by the shell.
 *
 * @param superDigest "super:base64digest" of the super user, or null
 * @param enforceQuota ZooKeeper's {@code zookeeper.enforceQuota}: a create or setData that would
 *     take a quota's count or bytes past its hard limit fails with QUOTA_EXCEEDED (the leader
 *     checks; only its setting counts)
 * @param authSchemes the authentication providers beyond ZooKeeper's defaults: x509 (the shell
 *     gives a TLS client's certificate subject as an id) and sasl (the shell runs the SASL exchange
 *     and hands the core its outcome, {@link SaslStep}); their ACL entries are valid, and an {@code
 *     auth} entry stands for a connection's ids of them too
 * @param requiredAuthSchemes ZooKeeper's {@code enforce.auth.schemes} where {@code
 *     enforce.auth.enabled} (or {@code sasl} for {@code sessionRequireClientSASLAuth}): a
 *     connection with no id of these schemes has every request but auth and sasl answered
 *     SESSIONCLOSEDREQUIRESASLAUTH and is closed; empty for no enforcement (the default)
 */
public record CoreConfig(int tickMs, int minSessionTimeoutMs, int maxSessionTimeoutMs,
                         boolean extendedTypesEnabled, long containerCheckIntervalMs,
                         int containerMaxPerMinute, String superDigest, boolean enforceQuota,
                         AuthSchemes authSchemes, java.util.Set<String> requiredAuthSchemes) {
    /** Without providers beyond the defaults, nor enforcement (ZooKeeper's default). */
    public CoreConfig(int tickMs, int minSessionTimeoutMs, int maxSessionTimeoutMs, boolean extendedTypesEnabled,
                      long containerCheckIntervalMs, int containerMaxPerMinute, String superDigest, boolean enforceQuota) {
        this(tickMs, minSessionTimeoutMs, maxSessionTimeoutMs, extendedTypesEnabled, containerCheckIntervalMs,
                containerMaxPerMinute, superDigest, enforceQuota, AuthSchemes.NONE, java.util.Set.of());
    }

    /** Without quota enforcement (ZooKeeper's default). */
    public CoreConfig(int tickMs, int minSessionTimeoutMs, int maxSessionTimeoutMs, boolean extendedTypesEnabled,
                      long containerCheckIntervalMs, int containerMaxPerMinute, String superDigest) {
        this(tickMs, minSessionTimeoutMs, maxSessionTimeoutMs, extendedTypesEnabled, containerCheckIntervalMs,
                containerMaxPerMinute, superDigest, false, AuthSchemes.NONE, java.util.Set.of());
    }

    public CoreConfig {
        if (tickMs <= 0 || minSessionTimeoutMs <= 0 || maxSessionTimeoutMs < minSessionTimeoutMs) {
            throw new IllegalArgumentException("bad timeouts: tick " + tickMs + " min "
                    + minSessionTimeoutMs + " max " + maxSessionTimeoutMs);
        }
        if (containerCheckIntervalMs <= 0 || containerMaxPerMinute <= 0) {
            throw new IllegalArgumentException("bad container sweep settings");
        }
        java.util.Objects.requireNonNull(authSchemes, "authSchemes");
        requiredAuthSchemes = java.util.Set.copyOf(requiredAuthSchemes);
    }

    public static CoreConfig defaults() {
        return new CoreConfig(2000, 4000, 40000, false, 60000, 10000, null);
    }
}
