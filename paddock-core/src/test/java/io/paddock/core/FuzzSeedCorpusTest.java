package io.paddock.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.paddock.core.storage.StorageSeeds;
import io.paddock.core.wire.ClientRecordSeeds;
import io.paddock.core.wire.JuteWriter;
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

    /** Directory (relative to the resources root) to the seeds it must hold. */
    static Map<String, Map<String, byte[]>> seeds() {
        Map<String, Map<String, byte[]>> dirs = new LinkedHashMap<>();
        String wire = "io/paddock/core/wire/ClientRecordFuzzTestInputs/";
        dirs.put(wire + "requestFrame", ClientRecordSeeds.requestFrames());
        dirs.put(wire + "connectRequest", ClientRecordSeeds.connectRequests());
        String storage = "io/paddock/core/storage/StorageDecoderFuzzTestInputs/";
        dirs.put(storage + "txnRecord", StorageSeeds.txnRecords());
        dirs.put(storage + "logFile", StorageSeeds.logFiles());
        dirs.put(storage + "logFileWithValidCrcs", StorageSeeds.logFiles());
        dirs.put(storage + "snapshotFile", StorageSeeds.snapshots());
        dirs.put(storage + "snapshotFileWithValidCrcs", StorageSeeds.snapshots());
        dirs.put("io/paddock/core/ReplicaFrameFuzzTestInputs/clientStream", clientStreams());
        return dirs;
    }

    /**
     * One connection per op code: a ConnectRequest, a create so the op has a node to act on, the
     * op, and a ping. Ops that still crash the core on this branch are left out here and kept
     * under {@code fuzz-crashes-pending/} (see {@link PendingFuzzCrashesTest}).
     */
    static Map<String, byte[]> clientStreams() {
        Map<String, byte[]> frames = ClientRecordSeeds.requestFrames();
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
            if (!name.contains("closeSession") && !name.contains("unknown-op")) {
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

    @Test
    void everyHandMadeSeedIsInTheCommittedCorpus() throws IOException {
        boolean write = Boolean.getBoolean(WRITE_PROPERTY);
        for (Map.Entry<String, Map<String, byte[]>> dir : seeds().entrySet()) {
            for (Map.Entry<String, byte[]> seed : dir.getValue().entrySet()) {
                String resource = dir.getKey() + "/seed-" + seed.getKey();
                if (write) {
                    Path file = RESOURCES.resolve(resource);
                    Files.createDirectories(file.getParent());
                    Files.write(file, seed.getValue());
                    continue;
                }
                try (InputStream in = getClass().getClassLoader().getResourceAsStream(resource)) {
                    assertNotNull(in, () -> resource + " is missing; rewrite the seeds with -D" + WRITE_PROPERTY + "=true");
                    assertArrayEquals(seed.getValue(), in.readAllBytes(),
                            () -> resource + " is stale; rewrite the seeds with -D" + WRITE_PROPERTY + "=true");
                }
            }
        }
    }
}
