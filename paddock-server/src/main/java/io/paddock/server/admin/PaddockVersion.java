package io.paddock.server.admin;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Properties;

/**
 * The version Paddock reports where ZooKeeper reports its own ({@code srvr}, {@code stat},
 * {@code mntr}'s zk_version, {@code envi}): {@code 3.9.5-paddock-<version>, built on <date>}.
 *
 * <p>Why this shape: ZooKeeper prints {@code <major.minor.micro>-<revision>, built on <date>},
 * and tools read the part before the first '-' to decide what the server can do (kazoo's
 * {@code server_version()} splits it into integers; exporters use it as a label). Leading with
 * the ZooKeeper version Paddock is compatible with keeps those tools working, and the
 * "paddock" revision tells a human what actually answers.
 */
public final class PaddockVersion {
    private PaddockVersion() {}

    /** The ZooKeeper release whose protocol and behaviour Paddock follows. */
    public static final String ZOOKEEPER_COMPATIBLE = "3.9.5";

    private static final String PADDOCK = readPaddockVersion();
    private static final String BUILT_ON = readBuildDate();

    /** Paddock's own version, from the jar's Maven descriptor; "dev" when run from classes. */
    public static String paddock() {
        return PADDOCK;
    }

    /** E.g. {@code 3.9.5-paddock-0.1.0}. */
    public static String version() {
        return ZOOKEEPER_COMPATIBLE + "-paddock-" + PADDOCK;
    }

    /** E.g. {@code 3.9.5-paddock-0.1.0, built on 2026-02-11 20:18 UTC}, as ZooKeeper's getFullVersion. */
    public static String fullVersion() {
        return version() + ", built on " + BUILT_ON;
    }

    private static String readPaddockVersion() {
        String resource = "/META-INF/maven/io.paddock/paddock-server/pom.properties";
        try (InputStream in = PaddockVersion.class.getResourceAsStream(resource)) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }

    /** The modification time of the jar (or classes folder) this class was loaded from. */
    private static String readBuildDate() {
        try {
            CodeSource source = PaddockVersion.class.getProtectionDomain().getCodeSource();
            URL location = source == null ? null : source.getLocation();
            if (location == null) {
                return "unknown";
            }
            Instant modified = Files.getLastModifiedTime(Path.of(location.toURI())).toInstant();
            return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC).format(modified);
        } catch (IOException | URISyntaxException | IllegalArgumentException | FileSystemNotFoundException
                 | SecurityException e) {
            return "unknown";
        }
    }
}
