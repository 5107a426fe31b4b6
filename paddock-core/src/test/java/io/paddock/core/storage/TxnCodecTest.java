package io.paddock.core.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.JuteWriter;
import io.paddock.core.wire.WireException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves the txn codec round-trips every Txn variant exactly (nulls, empty data, unicode paths
 * including surrogate pairs and lone surrogates, nested multis) and that damaged or foreign bytes
 * fail with WireException, never with another exception or a wrong value.
 */
class TxnCodecTest {
    @Test
    void everyVariantRoundTripsExactly() {
        long zxid = 1;
        for (Txn txn : StorageSamples.everyVariant()) {
            TxnEnvelope envelope = new TxnEnvelope(zxid++, -zxid, (int) -zxid, Long.MIN_VALUE + zxid, txn);
            byte[] bytes = TxnCodec.encode(envelope);
            TxnEnvelope back = TxnCodec.decode(bytes);
            assertEquals(envelope, back, () -> "round trip of " + txn);
            assertArrayEquals(bytes, TxnCodec.encode(back), () -> "re-encoding of " + txn);
        }
    }

    @Test
    void stringsComeBackCharForCharUnlikeThePlainJuteReader() {
        for (String path : StorageSamples.PATHS) {
            Txn.Delete back = (Txn.Delete) TxnCodec.decode(TxnCodec.encode(StorageSamples.envelope(1,
                    new Txn.Delete(path)))).txn();
            assertEquals(path, back.path());
        }
    }

    @Test
    void everyVariantHasItsOwnTag() {
        List<Txn> txns = StorageSamples.everyVariant();
        long distinctTags = txns.stream().map(t -> TxnCodec.encode(StorageSamples.envelope(1, t))[28]).distinct().count();
        long distinctTypes = txns.stream().map(Object::getClass).distinct().count();
        assertEquals(10, distinctTypes, "samples cover all ten variants");
        assertEquals(distinctTypes + 1, distinctTags, "and a closeSession with its paths has a tag of its own");
    }

    @Test
    void everyTruncationFailsAsWireException() {
        for (Txn txn : StorageSamples.everyVariant()) {
            byte[] bytes = TxnCodec.encode(StorageSamples.envelope(5, txn));
            for (int cut = 0; cut < bytes.length; cut++) {
                int length = cut;
                assertThrows(WireException.class, () -> TxnCodec.decode(bytes, 0, length), () -> txn + " cut at " + length);
            }
        }
    }

    @Test
    void rejectsTrailingBytesUnknownTagsAndBadValues() {
        byte[] good = TxnCodec.encode(StorageSamples.envelope(5, new Txn.Error(-1)));
        byte[] trailing = StorageSamples.concat(good, new byte[1]);
        assertThrows(WireException.class, () -> TxnCodec.decode(trailing));
        byte[] unknownTag = good.clone();
        unknownTag[28] = 99;
        assertThrows(WireException.class, () -> TxnCodec.decode(unknownTag));
        byte[] zeroZxid = good.clone();
        zeroZxid[7] = 0;
        assertThrows(WireException.class, () -> TxnCodec.decode(zeroZxid));
        byte[] create = TxnCodec.encode(StorageSamples.envelope(5, new Txn.Create("/a", null, Acl.OPEN,
                io.paddock.core.tree.NodeKind.PERSISTENT, 0, 0, 0, true)));
        byte[] badBool = create.clone();
        badBool[badBool.length - 1] = 2;
        assertThrows(WireException.class, () -> TxnCodec.decode(badBool));
    }

    @Test
    void boundsMultiNestingAndCounts() {
        Txn deep = new Txn.Multi(List.of());
        for (int i = 0; i < TxnCodec.MULTI_DEPTH_MAX; i++) {
            deep = new Txn.Multi(List.of(deep));
        }
        byte[] tooDeep = TxnCodec.encode(StorageSamples.envelope(1, deep));
        WireException e = assertThrows(WireException.class, () -> TxnCodec.decode(tooDeep));
        assertTrue(e.getMessage().contains("nested"), e.getMessage());

        JuteWriter hugeCount = new JuteWriter().writeLong(1).writeLong(0).writeInt(0).writeLong(0)
                .writeByte(TxnCodec.TAG_MULTI).writeInt(Integer.MAX_VALUE);
        assertThrows(WireException.class, () -> TxnCodec.decode(hugeCount.toByteArray()));
    }

    @Test
    void refusesToEncodeANullAcl() {
        TxnEnvelope envelope = StorageSamples.envelope(1, new Txn.SetAcl("/a", null, 1));
        assertThrows(IllegalArgumentException.class, () -> TxnCodec.encode(envelope));
    }
}
