package io.paddock.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.wire.ConnectRequest;
import io.paddock.core.wire.JuteReader;
import io.paddock.core.wire.RequestHeader;
import io.paddock.core.wire.Requests;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Proves that the seeds recorded from real clients ({@code rec-*} files) are what they claim:
 * complete client streams (a ConnectRequest, then requests that decode) for {@code
 * ReplicaFrameFuzzTest}, and frames that decode for {@code ClientRecordFuzzTest}. A recording
 * that is not real traffic (a cut frame, garbage) would quietly weaken the seeds.
 *
 * <p>It also imports them: paddock-server's {@code RecordingTarget} writes one file per client
 * connection while the conformance tests run against it; with
 * {@code -Dpaddock.fuzz.importRecorded=DIR} this test replaces the committed {@code rec-*} seeds
 * with a small selection from DIR: per connection signature (its sequence of op codes) the
 * shortest stream, cut to {@link #STREAM_BYTES_MAX}; per op code the {@link #FRAMES_PER_OP}
 * shortest distinct frames; per ConnectRequest form (length, session id zero or not) one.
 */
class RecordedTrafficSeedsTest {
    private static final String IMPORT_PROPERTY = "paddock.fuzz.importRecorded";
    private static final int STREAM_BYTES_MAX = 4096;
    private static final int STREAMS_MAX = 60;
    private static final int FRAMES_PER_OP = 3;
    private static final Path RESOURCES = Path.of("src/test/resources");
    private static final String STREAMS = "io/paddock/core/ReplicaFrameFuzzTestInputs/clientStream";
    private static final String FRAMES = "io/paddock/core/wire/ClientRecordFuzzTestInputs/requestFrame";
    private static final String CONNECTS = "io/paddock/core/wire/ClientRecordFuzzTestInputs/connectRequest";

    @Test
    void recordedSeedsAreRealClientTraffic() throws IOException, URISyntaxException {
        String dir = System.getProperty(IMPORT_PROPERTY);
        if (dir != null) {
            importFrom(Path.of(dir));
        }
        for (byte[] stream : recorded(STREAMS)) {
            List<byte[]> frames = frames(stream);
            assertFalse(frames.isEmpty(), "a recorded stream without a frame");
            ConnectRequest.read(new JuteReader(frames.get(0)));
            for (byte[] frame : frames.subList(1, frames.size())) {
                assertDecodes(frame);
            }
        }
        for (byte[] frame : recorded(FRAMES)) {
            assertDecodes(frame);
        }
        for (byte[] connect : recorded(CONNECTS)) {
            ConnectRequest.read(new JuteReader(connect));
        }
    }

    private static void assertDecodes(byte[] frame) {
        JuteReader in = new JuteReader(frame);
        RequestHeader header = RequestHeader.read(in);
        Requests.decodeRequest(header.type(), in);
    }

    private List<byte[]> recorded(String resourceDir) throws IOException, URISyntaxException {
        URL url = getClass().getClassLoader().getResource(resourceDir);
        List<byte[]> out = new ArrayList<>();
        if (url == null) {
            return out;
        }
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("rec-")).toList()) {
                out.add(Files.readAllBytes(f));
            }
        }
        return out;
    }

    /** The complete frames of a client stream, stopping at a cut one. */
    static List<byte[]> frames(byte[] stream) {
        List<byte[]> out = new ArrayList<>();
        int pos = 0;
        while (stream.length - pos >= 4) {
            int length = new JuteReader(stream, pos, 4).readInt();
            if (length < 0 || length > ReplicaFrameFuzzTest.FRAME_BYTES_MAX || length > stream.length - pos - 4) {
                break;
            }
            byte[] frame = new byte[length];
            System.arraycopy(stream, pos + 4, frame, 0, length);
            out.add(frame);
            pos += 4 + length;
        }
        return out;
    }

    private static void importFrom(Path dir) throws IOException {
        Map<String, byte[]> streams = new TreeMap<>();
        Map<Integer, List<byte[]>> framesByOp = new TreeMap<>();
        Map<String, byte[]> connects = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.sorted().toList();
        }
        for (Path file : files) {
            List<byte[]> frames = frames(Files.readAllBytes(file));
            if (frames.isEmpty() || !decodes(frames)) {
                continue; // a four-letter word, or a connection cut mid-frame
            }
            byte[] connect = frames.get(0);
            long sessionId = new JuteReader(connect, 16, 8).readLong(); // after protocolVersion, lastZxidSeen, timeOut
            connects.putIfAbsent("len" + connect.length + (sessionId == 0 ? "-new" : "-resume"), connect);
            StringBuilder signature = new StringBuilder();
            List<byte[]> kept = new ArrayList<>();
            int bytes = 0;
            for (byte[] frame : frames) {
                if (bytes + 4 + frame.length > STREAM_BYTES_MAX) {
                    break;
                }
                bytes += 4 + frame.length;
                kept.add(frame);
                if (kept.size() > 1) {
                    int op = new JuteReader(frame, 4, 4).readInt(); // the header's type, after its xid
                    if (signature.length() == 0 || !signature.toString().endsWith("." + op)) {
                        signature.append('.').append(op);
                    }
                    framesByOp.computeIfAbsent(op, k -> new ArrayList<>()).add(frame);
                }
            }
            byte[] stream = FuzzSeedCorpusTest.framed(kept.toArray(new byte[0][]));
            streams.merge(signature.toString(), stream, (a, b) -> a.length <= b.length ? a : b);
        }
        replace(STREAMS, limit(streams, STREAMS_MAX));
        Map<String, byte[]> frames = new LinkedHashMap<>();
        framesByOp.forEach((op, list) -> {
            Map<Integer, byte[]> byLength = new TreeMap<>();
            list.forEach(f -> byLength.putIfAbsent(f.length, f));
            int i = 0;
            for (byte[] f : byLength.values()) {
                if (i == FRAMES_PER_OP) {
                    break;
                }
                frames.put("op" + op + "-" + i++, f);
            }
        });
        replace(FRAMES, frames);
        replace(CONNECTS, connects);
    }

    private static boolean decodes(List<byte[]> frames) {
        try {
            ConnectRequest.read(new JuteReader(frames.get(0)));
            frames.subList(1, frames.size()).forEach(RecordedTrafficSeedsTest::assertDecodes);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static Map<String, byte[]> limit(Map<String, byte[]> streams, int max) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        int i = 0;
        for (byte[] s : streams.values()) {
            if (i == max) {
                break;
            }
            out.put(String.format("stream-%03d", i++), s);
        }
        return out;
    }

    /** Replaces the {@code rec-*} files of a resource directory with {@code seeds}. */
    private static void replace(String resourceDir, Map<String, byte[]> seeds) throws IOException {
        Path dir = RESOURCES.resolve(resourceDir);
        Files.createDirectories(dir);
        try (Stream<Path> old = Files.list(dir)) {
            for (Path f : old.filter(p -> p.getFileName().toString().startsWith("rec-")).toList()) {
                Files.delete(f);
            }
        }
        Map<String, byte[]> unique = new HashMap<>();
        for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
            Files.write(dir.resolve("rec-" + seed.getKey()), seed.getValue());
            unique.put(seed.getKey(), seed.getValue());
        }
        assertTrue(unique.size() == seeds.size());
    }
}
