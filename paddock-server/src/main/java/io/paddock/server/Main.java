package io.paddock.server;

import io.paddock.server.ServerConfig.ConfigException;
import io.paddock.server.storage.StartupException;
import io.paddock.server.storage.ZooKeeperExport;
import io.paddock.server.admin.FourLetterWord;
import io.paddock.server.admin.PaddockVersion;
import io.paddock.server.admin.WordClient;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import io.paddock.core.storage.ByteSource;
import io.paddock.core.storage.CorruptLogException;
import io.paddock.core.storage.CorruptSnapshotException;
import io.paddock.core.storage.LogScanner;
import io.paddock.core.storage.ScanResult;
import io.paddock.core.storage.SnapshotData;
import io.paddock.core.storage.StorageDump;
import io.paddock.core.storage.zookeeper.ZooKeeperFiles;
import io.paddock.core.storage.zookeeper.ZooKeeperLogFile;
import io.paddock.core.storage.zookeeper.ZooKeeperSnapshotFile;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command line: {@code paddock server <zoo.cfg>}, {@code paddock start}, {@code paddock
 * version}, {@code paddock log <file>}, {@code paddock snapshot <file>}, {@code paddock elections
 * <host:port>}, {@code paddock export-zookeeper <zoo.cfg>}. Exit codes: 0 done, 1 bad configuration or the server could not start, 2 usage,
 * 3 the running server failed in a way that may have left its state half-changed and stopped
 * ({@link io.paddock.server.failstop.FailStop}; restart it to recover from disk).
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;
    /** ZooKeeper's jute.maxbuffer when no -Djute.maxbuffer is given. */
    private static final int ZOOKEEPER_JUTE_MAX_BUFFER_DEFAULT = 0xfffff;

    static final String USAGE = String.join("\n",
        "Usage: paddock <command>",
        "  server <zoo.cfg>   run a server in the foreground with a ZooKeeper zoo.cfg",
        "  start              run a server in the foreground on 127.0.0.1:2181, data in ./data",
        "  version            print the version",
        "  log <file>         print a transaction log's transactions, one per line (ours or ZooKeeper's)",
        "  snapshot <file>    print a snapshot's sessions and znodes, one per line (ours or ZooKeeper's)",
        "  elections <host:port>",
        "                     print a running server's last elections (its elec word, which",
        "                     4lw.commands.whitelist must allow)",
        "  export-zookeeper <zoo.cfg>",
        "                     write a stopped server's data as Apache ZooKeeper's files (version-2 in",
        "                     dataDir and dataLogDir), for a ZooKeeper server on the same zoo.cfg",
        "  ensemble <n> [dir] run a local ensemble of n servers on loopback (data in ./ensemble) and show its elections",
        "  cds-training       serve one session on an ephemeral loopback port and exit (bin/paddock runs",
        "                     it once under -XX:ArchiveClassesAtExit to make its class-data archive)",
        "");

    private Main() {}

    /** Netty's leak detector level for a server run from the command line, unless the user sets one. */
    static final String LEAK_DETECTION_PROPERTY = "io.netty.leakDetection.level";

    public static void main(String[] args) {
        // Netty's default ("simple") wraps one buffer allocation in 128 with a tracker that records
        // a stack trace: CPU on the hot paths, and more code for the JIT to compile while the server
        // warms up. -Dio.netty.leakDetection.level=simple (or paranoid) turns it back on; servers
        // that tests run inside their own JVM keep Netty's default.
        if (System.getProperty(LEAK_DETECTION_PROPERTY) == null) {
            System.setProperty(LEAK_DETECTION_PROPERTY, "disabled");
        }
        int code = run(args, System.out, System.err, System.getProperties());
        if (code != EXIT_OK) {
            System.exit(code);
        }
    }

    /** Runs one command; returns the exit code. {@code server} and {@code start} block until the JVM stops. */
    /**
     * As {@link #run(String[], PrintStream, PrintStream, Properties)} with no JVM properties: what
     * tests call in their own JVM, whose properties (ZooKeeper's, set by other tests) are not a
     * server's flags.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, new Properties());
    }

    /** @param jvm the JVM's system properties, where ZooKeeper's -D settings are read (ServerConfig.load) */
    public static int run(String[] args, PrintStream out, PrintStream err, Properties jvm) {
        String command = args.length == 0 ? "" : args[0];
        switch (command) {
            case "version":
                return args.length == 1 ? printVersion(out) : usage(err);
            case "server":
                return args.length == 2 ? serve(() -> ServerConfig.load(Path.of(args[1]), jvm), err) : usage(err);
            case "start":
                return args.length == 1 ? serve(ServerConfig::defaults, err) : usage(err);
            case "log":
                return args.length == 2 ? printLog(Path.of(args[1]), out, err) : usage(err);
            case "snapshot":
                return args.length == 2 ? printSnapshot(Path.of(args[1]), out, err) : usage(err);
            case "elections":
                return args.length == 2 ? printElections(args[1], out, err) : usage(err);
            case "export-zookeeper":
                return args.length == 2 ? exportZooKeeper(Path.of(args[1]), jvm, out, err) : usage(err);
            case "ensemble":
                return args.length == 2 || args.length == 3 ? ensemble(args, out, err) : usage(err);
            case "cds-training":
                return args.length == 1 ? CdsTraining.run(out, err) : usage(err);
            case "help":
            case "-h":
            case "--help":
                out.print(USAGE);
                return EXIT_OK;
            default:
                return usage(err);
        }
    }

    private static int ensemble(String[] args, PrintStream out, PrintStream err) {
        int size;
        try {
            size = Integer.parseInt(args[1]);
        } catch (NumberFormatException e) {
            return usage(err);
        }
        try {
            return LocalEnsembleCommand.run(size, Path.of(args.length == 3 ? args[2] : "ensemble"), out, err);
        } catch (IOException e) {
            err.println("paddock ensemble: " + e);
            return EXIT_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return EXIT_OK;
        }
    }

    private static int printVersion(PrintStream out) {
        out.println("Paddock " + PaddockVersion.paddock() + " (ZooKeeper " + PaddockVersion.ZOOKEEPER_COMPATIBLE
            + " compatible): " + PaddockVersion.fullVersion());
        return EXIT_OK;
    }

    private static int usage(PrintStream err) {
        err.print(USAGE);
        return EXIT_USAGE;
    }

    /** Loads the configuration (errors: exit 1), then serves until SIGTERM/SIGINT. */
    private static int serve(ConfigSource source, PrintStream err) {
        PaddockServer server;
        try {
            ServerConfig.refuseProtectionFlags(System.getProperties());
            server = new PaddockServer(source.load()); // checks the ensemble settings and myid
        } catch (ConfigException e) {
            err.println("Invalid configuration: " + e.getMessage());
            return EXIT_FAILED;
        }
        // The hook goes in before start-up, so a stop request during recovery still closes the
        // server cleanly (close waits for start to finish).
        CountDownLatch closed = closeOnShutdown(server);
        try {
            server.start();
        } catch (IOException e) {
            err.println("Cannot start the server: " + e);
            server.close();
            return EXIT_FAILED;
        }
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return EXIT_OK;
    }

    /** Writes the data of a stopped server configured by {@code cfg} as ZooKeeper's files (see ZooKeeperExport). */
    private static int exportZooKeeper(Path cfg, Properties jvm, PrintStream out, PrintStream err) {
        ServerConfig config;
        try {
            config = ServerConfig.load(cfg, jvm);
        } catch (ConfigException e) {
            err.println("Invalid configuration: " + e.getMessage());
            return EXIT_FAILED;
        }
        if (config.dataDir() == null) {
            err.println(cfg + " names no dataDir: there is nothing on disk to export");
            return EXIT_FAILED;
        }
        try {
            ZooKeeperExport.Result r = ZooKeeperExport.export(config.dataDir(), config.dataLogDir(), config.isEnsemble());
            for (Path aside : r.movedAside()) {
                out.println("moved what was there aside to " + aside);
            }
            out.println("wrote ZooKeeper snapshot " + r.snapshot() + " (zxid 0x" + Long.toHexString(r.snapshotZxid())
                    + ") and " + r.transactions() + " transactions after it in " + r.logFiles() + " log files, up to zxid 0x"
                    + Long.toHexString(r.lastZxid()));
            if (r.largestRecordBytes() > ZOOKEEPER_JUTE_MAX_BUFFER_DEFAULT) {
                out.println("note: a record of " + r.largestRecordBytes() + " bytes is in these files; ZooKeeper reads"
                        + " them only with -Djute.maxbuffer=" + r.largestRecordBytes() + " or more in its JVM flags");
            }
            return EXIT_OK;
        } catch (IOException | StartupException e) {
            err.println("Cannot export: " + e.getMessage());
            return EXIT_FAILED;
        }
    }

    /**
     * Prints a log file for an operator, ours or ZooKeeper's (told apart by the magic it starts
     * with); a damaged file prints what is valid, then the damage (exit 1).
     */
    private static int printLog(Path file, PrintStream out, PrintStream err) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            err.println("Cannot read " + file + ": " + e.getMessage());
            return EXIT_FAILED;
        }
        if (startsWith(bytes, ZooKeeperFiles.LOG_MAGIC)) {
            out.println("ZooKeeper log " + file + ", " + bytes.length + " bytes");
            try {
                ZooKeeperLogFile.Summary s = ZooKeeperLogFile.read(ByteSource.of(bytes), file.toString(),
                        ZooKeeperLogFile.recordBytesMax(Integer.getInteger("jute.maxbuffer", 0xfffff)),
                        txn -> out.println(StorageDump.describeEnvelope(txn)));
                out.println("end: " + s.end() + " at offset " + s.endOffset()
                        + (s.tornReason() == null ? "" : ": " + s.tornReason()));
                return EXIT_OK;
            } catch (CorruptLogException e) {
                err.println(e.getMessage());
                return EXIT_FAILED;
            }
        }
        ScanResult scan = LogScanner.scan(bytes, file.toString());
        StorageDump.describeLog(scan).forEach(out::println);
        return scan.tail() == ScanResult.Tail.CORRUPT ? EXIT_FAILED : EXIT_OK;
    }

    /** Prints a snapshot for an operator, ours or ZooKeeper's (also one compressed with gzip). */
    private static int printSnapshot(Path file, PrintStream out, PrintStream err) {
        try {
            ZooKeeperFiles.Name name = ZooKeeperFiles.snapshotName(file.getFileName().toString());
            boolean gzip = name != null && name.compression() == ZooKeeperFiles.Compression.GZIP;
            byte[] bytes;
            try (InputStream in = gzip ? new GZIPInputStream(Files.newInputStream(file)) : Files.newInputStream(file)) {
                bytes = in.readAllBytes();
            }
            SnapshotData data = startsWith(bytes, ZooKeeperFiles.SNAP_MAGIC)
                    ? ZooKeeperSnapshotFile.read(ByteSource.of(bytes), file.toString(), name == null ? 0 : name.zxid(),
                            Files.getLastModifiedTime(file).toMillis(), Runtime.getRuntime().maxMemory() / 2,
                            ZooKeeperLogFile.recordBytesMax(Integer.getInteger("jute.maxbuffer", 0xfffff)))
                    : SnapshotData.decode(bytes, file.toString());
            StorageDump.describeSnapshot(data).forEach(out::println);
            return EXIT_OK;
        } catch (IOException e) {
            err.println("Cannot read " + file + ": " + e.getMessage());
        } catch (CorruptSnapshotException e) {
            err.println(e.getMessage());
        }
        return EXIT_FAILED;
    }

    private static boolean startsWith(byte[] bytes, int magic) {
        return bytes.length >= 4 && (((bytes[0] & 0xff) << 24) | ((bytes[1] & 0xff) << 16) | ((bytes[2] & 0xff) << 8)
                | (bytes[3] & 0xff)) == magic;
    }

    /**
     * Asks the server at {@code hostPort} for its {@code elec} word and prints the table. Exit 1 with
     * one line on stderr when it cannot be reached, refuses the word (whitelist) or answers nothing
     * (a ZooKeeper server does not know the word and closes the connection); 2 for a bad address.
     */
    private static int printElections(String hostPort, PrintStream out, PrintStream err) {
        int colon = hostPort.lastIndexOf(':');
        String host = colon > 0 ? hostPort.substring(0, colon) : "";
        int port = -1;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            // reported below
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1); // [::1]:2181
        }
        if (host.isEmpty() || port < 1 || port > 65535) {
            err.println("paddock: bad address '" + hostPort + "': expected HOST:PORT, e.g. 127.0.0.1:2181");
            return EXIT_USAGE;
        }
        String answer;
        try {
            answer = WordClient.ask(host, port, FourLetterWord.ELEC);
        } catch (IOException e) {
            err.println("paddock: cannot reach " + hostPort + ": " + e.getMessage());
            return EXIT_FAILED;
        }
        if (WordClient.isRefusal(FourLetterWord.ELEC, answer)) {
            err.println("paddock: " + hostPort + " does not allow the elec word: add it to 4lw.commands.whitelist"
                + " in its zoo.cfg (e.g. 4lw.commands.whitelist=srvr,elec) and restart it");
            return EXIT_FAILED;
        }
        if (answer.isEmpty()) {
            err.println("paddock: " + hostPort + " answered nothing to elec: not a Paddock server (ZooKeeper does not"
                + " know the word and closes the connection)");
            return EXIT_FAILED;
        }
        out.print(answer);
        return EXIT_OK;
    }

    /** Registers the hook that closes the server when the JVM is asked to stop; its latch opens then. */
    private static CountDownLatch closeOnShutdown(PaddockServer server) {
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Shutting down");
            server.close();
            closed.countDown();
        }, "paddock-shutdown"));
        return closed;
    }

    @FunctionalInterface
    private interface ConfigSource {
        ServerConfig load();
    }
}
