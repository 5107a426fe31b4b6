package io.paddock.core.wire.quorum;

import static io.paddock.core.wire.quorum.QuorumPacketCodecTest.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.paddock.core.wire.JuteReader;
import io.paddock.core.wire.WireException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Proves TxnHeader is byte-identical to ZooKeeper 3.9.5's both ways, and that a short header is refused. */
class TxnHeaderCodecTest {
    @Test
    void headerHasTheseBytes() {
        TxnHeader h = new TxnHeader(0x1234L, 7, 0x1_0000_0002L, 1_700_000_000_000L, 1);
        assertEquals("0000000000001234" + "00000007" + "0000000100000002" + "0000018bcfe56800" + "00000001",
                hex(h.toBytes()));
        assertEquals(TxnHeader.BYTES, h.toBytes().length);
    }

    @Test
    void headersMatchZooKeeperBothWays() throws Exception {
        long[] longs = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE};
        int[] ints = {0, -1, 14, Integer.MIN_VALUE};
        for (long l : longs) {
            for (int i : ints) {
                TxnHeader ours = new TxnHeader(l, i, ~l, l ^ 0x5555, -i);
                var zk = new org.apache.zookeeper.txn.TxnHeader(l, i, ~l, l ^ 0x5555, -i);
                byte[] zkBytes = ZkQuorumOracle.bytes(zk);
                assertArrayEquals(zkBytes, ours.toBytes());
                assertEquals(zk, ZkQuorumOracle.read(ours.toBytes(), new org.apache.zookeeper.txn.TxnHeader()));
                assertEquals(ours, TxnHeader.read(new JuteReader(zkBytes)));
                PeerInput in = PeerInput.of(Arrays.copyOf(zkBytes, zkBytes.length + 3));
                assertEquals(ours, TxnHeader.read(in));
                assertEquals(3, in.remaining(), "left at the txn body");
                for (int length = 0; length < zkBytes.length; length++) {
                    byte[] prefix = Arrays.copyOf(zkBytes, length);
                    assertThrows(PeerProtocolException.class, () -> TxnHeader.read(PeerInput.of(prefix)));
                    assertThrows(WireException.class, () -> TxnHeader.read(new JuteReader(prefix)));
                }
            }
        }
    }
}
