package io.paddock.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import org.apache.jute.BinaryInputArchive;
import org.junit.jupiter.api.Test;

/**
 * Proves strings use Jute's encoding, not plain UTF-8: ZooKeeper writes each UTF-16 char on its
 * own, so supplementary characters and lone surrogates take 3 bytes per char; and that we read
 * any bytes (including such pairs and invalid UTF-8) exactly as ZooKeeper's reader does.
 */
class StringEncodingTest {
    private static final List<String> STRINGS = List.of("", "plain", "\u0000", "é", "日本", "😀",
            "a😀b", "\ud800", "x\udc00y", "\uffff", "\u07ff\u0800");

    @Test
    void writesStringsAsZooKeeperDoes() {
        for (String s : STRINGS) {
            byte[] zk = ZkOracle.bytes(new org.apache.zookeeper.proto.SyncRequest(s));
            assertArrayEquals(zk, new JuteWriter().writeString(s).toByteArray(), () -> "string " + s);
            assertEquals(zk.length - 4, JuteWriter.juteStringLength(s), () -> "length of " + s);
        }
    }

    @Test
    void supplementaryCharacterTakesSixBytesAndComesBackAsZooKeeperReadsIt() {
        assertEquals(6, JuteWriter.juteStringLength("😀"));
        byte[] frame = new JuteWriter().writeString("/😀").toByteArray();
        String zk = ZkOracle.decode(frame, org.apache.zookeeper.proto.SyncRequest::new).getPath();
        assertEquals(zk, new JuteReader(frame).readString());
        assertNotEquals("/😀", zk, "ZooKeeper itself does not round-trip a surrogate pair");
    }

    @Test
    void readsAnyBytesAsZooKeeperDoes() throws IOException {
        List<byte[]> bodies = List.of(
                new byte[] {(byte) 0xf0, (byte) 0x9f, (byte) 0x98, (byte) 0x80},    // UTF-8 of U+1F600
                new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0xbd, (byte) 0xed, (byte) 0xb8, (byte) 0x80},
                new byte[] {(byte) 0xff, (byte) 0xc0, 0x41},                        // invalid UTF-8
                new byte[] {(byte) 0xe6, (byte) 0x97});                             // cut multi-byte char
        for (byte[] body : bodies) {
            byte[] frame = new JuteWriter().writeBuffer(body).toByteArray();
            String zk = BinaryInputArchive.getArchive(new ByteArrayInputStream(frame)).readString("s");
            assertEquals(zk, new JuteReader(frame).readString());
        }
    }
}
