package io.paddock.core;

/**
 * The part of the configuration a core needs, parsed once by the shell.
 *
 * @param superDigest "super:base64digest" of the super user, or null
 * @param enforceQuota ZooKeeper's {@code zookeeper.enforceQuota}: a create or setData that would
 *     take a quota's count or bytes past its hard limit fails with QUOTA_EXCEEDED (the leader
 *     checks; only its setting counts)
 * @param x509Auth ZooKeeper's X509AuthenticationProvider is configured ({@code authProvider.x509}):
 *     {@code x509} ACL entries are valid, and an {@code auth} entry stands for a connection's x509
 *     ids too (the shell gives a TLS client's certificate subject as one)
 */
public record CoreConfig(int tickMs, int minSessionTimeoutMs, int maxSessionTimeoutMs,
                         boolean extendedTypesEnabled, long containerCheckIntervalMs,
                         int containerMaxPerMinute, String superDigest, boolean enforceQuota, boolean x509Auth) {
    /** Without x509 authentication (ZooKeeper's default). */
    public CoreConfig(int tickMs, int minSessionTimeoutMs, int maxSessionTimeoutMs, boolean extendedTypesEnabled,
                      long containerCheckIntervalMs, int containerMaxPerMinute, String superDigest, boolean enforceQuota) {
        this(tickMs, minSessionTimeoutMs, maxSessionTimeoutMs, extendedTypesEnabled, containerCheckIntervalMs,
                containerMaxPerMinute, superDigest, enforceQuota, false);
    }

    /** Without quota enforcement (ZooKeeper's default). */
    public CoreConfig(int tickMs, int minSessionTimeoutMs, int maxSessionTimeoutMs, boolean extendedTypesEnabled,
                      long containerCheckIntervalMs, int containerMaxPerMinute, String superDigest) {
        this(tickMs, minSessionTimeoutMs, maxSessionTimeoutMs, extendedTypesEnabled, containerCheckIntervalMs,
                containerMaxPerMinute, superDigest, false, false);
    }

    public CoreConfig {
        if (tickMs <= 0 || minSessionTimeoutMs <= 0 || maxSessionTimeoutMs < minSessionTimeoutMs) {
            throw new IllegalArgumentException("bad timeouts: tick " + tickMs + " min "
                    + minSessionTimeoutMs + " max " + maxSessionTimeoutMs);
        }
        if (containerCheckIntervalMs <= 0 || containerMaxPerMinute <= 0) {
            throw new IllegalArgumentException("bad container sweep settings");
        }
    }

    public static CoreConfig defaults() {
        return new CoreConfig(2000, 4000, 40000, false, 60000, 10000, null);
    }
}
