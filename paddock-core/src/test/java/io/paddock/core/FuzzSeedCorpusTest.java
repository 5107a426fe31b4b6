package io.paddock.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.paddock.core.storage.StorageSeeds;
import io.paddock.core.storage.zookeeper.ZooKeeperFileSeeds;
import io.paddock.core.wire.ClientRecordSeeds;
import io.paddock.core.wire.JuteWriter;
import io.paddock.core.wire.quorum.PeerStreamSeeds;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Proves that the committed fuzz corpus holds every hand-made seed, byte for byte as the code's
 * encoders write it today, so that {@code mvn verify}'s regression replay covers every op code,
 * txn variant, log state and snapshot shape, and no seed silently goes stale. After an encoder
 * changes, rewrite them with
 * {@code mvn -B -q -pl paddock-core test -Dtest=FuzzSeedCorpusTest -Dpaddock.fuzz.writeSeeds=true}.
 *
 * <p>Layout (Jazzer's): {@code src/test/resources/<package>/<TestClass>Inputs/<method>/<file>}.
 * Hand-made seeds are named {@code seed-*}; inputs recorded from real clients {@code rec-*}
 * (see paddock-server's RecordingTarget); inputs kept from fuzzing runs {@code fuzz-*}; crash
 * inputs keep Jazzer's {@code crash-<sha1>} names.
 */
class FuzzSeedCorpusTest {
    private static final String WRITE_PROPERTY = "paddock.fuzz.writeSeeds";
    private static final Path RESOURCES = Path.of("src/test/resources");
    private static final String REPLICA_STREAMS = "io/paddock/core/ReplicaFrameFuzzTestInputs/clientStream";
    /** Where a seed that still crashes its target waits for its fix (see PendingFuzzCrashesTest). */
    private static final String PENDING = "fuzz-crashes-pending/";

    /** Directory (relative to the resources root) to the seeds it must hold. */
    static Map<String, Map<String, byte[]>> seeds() {
        Map<String, Map<String, byte[]>> dirs = new LinkedHashMap<>();
        String wire = "io/paddock/core/wire/ClientRecordFuzzTestInputs/";
        Map<String, byte[]> frames = new LinkedHashMap<>(ClientRecordSeeds.requestFrames());
        frames.putAll(ClientRecordSeeds.nullFieldFrames());
        dirs.put(wire + "requestFrame", frames);
        dirs.put(wire + "connectRequest", ClientRecordSeeds.connectRequests());
        String storage = "io/paddock/core/storage/StorageDecoderFuzzTestInputs/";
        dirs.put(storage + "txnRecord", StorageSeeds.txnRecords());
        dirs.put(storage + "logFile", StorageSeeds.logFiles());
        dirs.put(storage + "logFileWithValidCrcs", StorageSeeds.logFiles());
        dirs.put(storage + "snapshotFile", StorageSeeds.snapshots());
        dirs.put(storage + "snapshotFileWithValidCrcs", StorageSeeds.snapshots());
        dirs.put(REPLICA_STREAMS, clientStreams());
        String quorum = "io/paddock/core/wire/quorum/PeerStreamFuzzTestInputs/";
        dirs.put(quorum + "quorumPort", PeerStreamSeeds.quorumPort());
        dirs.put(quorum + "electionPort", PeerStreamSeeds.electionPort());
        dirs.put(quorum + "zooKeeperSnapshot", PeerStreamSeeds.zooKeeperSnapshots());
        String zooKeeperFiles = "io/paddock/core/storage/zookeeper/ZooKeeperFileFuzzTestInputs/";
        dirs.put(zooKeeperFiles + "logFile", ZooKeeperFileSeeds.logFiles());
        dirs.put(zooKeeperFiles + "logFileWithValidChecksums", ZooKeeperFileSeeds.logFiles());
        dirs.put(zooKeeperFiles + "snapshotBody", ZooKeeperFileSeeds.snapshotBodies());
        return dirs;
    }

    /**
     * One connection per op code and per null field: a ConnectRequest, a create so the op has a
     * node to act on, the op, and a ping; and one connection with every op. A seed that still
     * crashes the core on this branch is written under {@code fuzz-crashes-pending/} instead
     * (see {@link PendingFuzzCrashesTest}); rewriting the seeds after the fix moves it back.
     */
    static Map<String, byte[]> clientStreams() {
        Map<String, byte[]> frames = new LinkedHashMap<>(ClientRecordSeeds.requestFrames());
        frames.putAll(ClientRecordSeeds.nullFieldFrames());
        byte[] connect = ClientRecordSeeds.connectRequests().get("connect-new-session");
        byte[] create = frames.get("op1-create");
        byte[] ping = frames.get("op11-ping");
        Map<String, byte[]> streams = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> op : frames.entrySet()) {
            streams.put("stream-" + op.getKey(), framed(connect, create, op.getValue(), ping));
        }
        JuteWriter all = new JuteWriter();
        all.writeRaw(framed(connect), 0, framed(connect).length);
        frames.forEach((name, frame) -> {
            if (!name.contains("closeSession") && !name.contains("unknown-op") && !name.startsWith("null")
                    && !name.contains("-null-")) {
                byte[] f = framed(frame);
                all.writeRaw(f, 0, f.length);
            }
        });
        streams.put("stream-every-op", all.toByteArray());
        return streams;
    }

    static byte[] framed(byte[]... bodies) {
        JuteWriter out = new JuteWriter();
        for (byte[] body : bodies) {
            out.writeInt(body.length);
            out.writeRaw(body, 0, body.length);
        }
        return out.toByteArray();
    }

    /** {@code <package>/<Class>Inputs/<method>} to {@code <package.Class>/<method>}. */
    private static String pendingDir(String inputsDir) {
        int inputs = inputsDir.indexOf("Inputs/");
        return inputsDir.substring(0, inputs).replace('/', '.') + "/" + inputsDir.substring(inputs + "Inputs/".length());
    }

    private static boolean crashesTheCore(byte[] stream) {
        try {
            new ReplicaFrameFuzzTest().clientStream(stream);
            return false;
        } catch (RuntimeException | AssertionError e) {
            return true;
        }
    }

    @Test
    void everyHandMadeSeedIsInTheCommittedCorpus() throws IOException {
        boolean write = Boolean.getBoolean(WRITE_PROPERTY);
        for (Map.Entry<String, Map<String, byte[]>> dir : seeds().entrySet()) {
            for (Map.Entry<String, byte[]> seed : dir.getValue().entrySet()) {
                String resource = dir.getKey() + "/seed-" + seed.getKey();
                String pending = PENDING + pendingDir(dir.getKey()) + "/seed-" + seed.getKey();
                if (write) {
                    boolean crashes = dir.getKey().equals(REPLICA_STREAMS) && crashesTheCore(seed.getValue());
                    Files.deleteIfExists(RESOURCES.resolve(crashes ? resource : pending));
                    Path file = RESOURCES.resolve(crashes ? pending : resource);
                    Files.createDirectories(file.getParent());
                    Files.write(file, seed.getValue());
                    continue;
                }
                ClassLoader loader = getClass().getClassLoader();
                try (InputStream in = loader.getResource(resource) != null ? loader.getResourceAsStream(resource)
                        : loader.getResourceAsStream(pending)) {
                    assertNotNull(in, () -> resource + " is missing; rewrite the seeds with -D" + WRITE_PROPERTY + "=true");
                    assertArrayEquals(seed.getValue(), in.readAllBytes(),
                            () -> resource + " is stale; rewrite the seeds with -D" + WRITE_PROPERTY + "=true");
                }
            }
        }
    }
}
