package io.paddock.server.conformance;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The one configuration every target runs with, so that both servers are asked the same thing.
 * A short tick keeps session tests short: sessions are clamped to [2, 20] ticks = [400, 4000] ms.
 */
public final class TargetSettings {
    public static final String HOST = "127.0.0.1";
    public static final int TICK_TIME_MS = 200;
    public static final int MIN_SESSION_TIMEOUT_MS = 2 * TICK_TIME_MS;
    public static final int MAX_SESSION_TIMEOUT_MS = 20 * TICK_TIME_MS;
    /** Every test opens clients from 127.0.0.1; the shared servers must not refuse them. */
    public static final int MAX_CLIENT_CNXNS = 1000;
    public static final int CONTAINER_CHECK_INTERVAL_MS = 100;
    public static final String FOUR_LETTER_WHITELIST = "ruok,srvr,stat,mntr,conf,isro,cons";
    public static final String SUPER_USER = "super";
    public static final String SUPER_PASSWORD = "super-secret";

    private TargetSettings() {
    }

    /** {@code user:base64(sha1(user:password))}, the id of a digest ACL and of the super user. */
    public static String digestId(String user, String password) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] hash = sha1.digest((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            return user + ":" + Base64.getEncoder().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    public static String superDigest() {
        return digestId(SUPER_USER, SUPER_PASSWORD);
    }
}
