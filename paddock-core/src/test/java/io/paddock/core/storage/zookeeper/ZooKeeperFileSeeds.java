package io.paddock.core.storage.zookeeper;

import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.storage.StorageSamples;
import io.paddock.core.wire.JuteWriter;
import io.paddock.core.wire.quorum.PeerStreamSeeds;
import io.paddock.core.wire.quorum.TxnDigest;
import io.paddock.core.wire.quorum.ZabTxnCodec;
import io.paddock.core.wire.quorum.ZooKeeperSnapReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Adler32;

/**
 * Hand-made seeds for {@link ZooKeeperFileFuzzTest}, in ZooKeeper's file formats as our encoders
 * write its bytes ({@link ZooKeeperDataFilesTest} checks our readers against ZooKeeper's own
 * writers): a log of every txn variant ZooKeeper carries, and snapshot bodies.
 */
public final class ZooKeeperFileSeeds {
    private ZooKeeperFileSeeds() {}

    public static Map<String, byte[]> logFiles() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        List<TxnEnvelope> variants = StorageSamples.history(1, StorageSamples.everyVariant().size());
        JuteWriter every = header();
        long zxid = 0;
        for (TxnEnvelope e : variants) {
            byte[] bytes;
            try {
                TxnEnvelope next = new TxnEnvelope(zxid + 1, e.sessionId(), e.cxid(), e.timeMs(), e.txn());
                bytes = ZabTxnCodec.encode(next, zxid % 2 == 0 ? new TxnDigest(2, zxid * 31) : null);
            } catch (IllegalArgumentException notCarried) {
                continue; // a txn ZooKeeper's bytes cannot carry
            }
            zxid++;
            record(every, bytes);
        }
        seeds.put("every-variant", withZeros(every, 64));
        seeds.put("header-only", withZeros(header(), 512));
        return seeds;
    }

    /** What comes after a snapshot file's header and before its seal. */
    public static Map<String, byte[]> snapshotBodies() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        int signature = 4 + ZooKeeperSnapReader.SIGNATURE.length();
        PeerStreamSeeds.zooKeeperSnapshots().forEach((name, stream) ->
                seeds.put(name, java.util.Arrays.copyOf(stream, stream.length - signature)));
        return seeds;
    }

    /** ZooKeeper's log header: "ZKLG", version 2, dbid 0. */
    static JuteWriter header() {
        JuteWriter out = new JuteWriter(1024);
        out.writeInt(ZooKeeperFiles.LOG_MAGIC).writeInt(ZooKeeperFiles.VERSION).writeLong(0);
        return out;
    }

    /** One record as ZooKeeper's FileTxnLog appends it. */
    static void record(JuteWriter out, byte[] txnBytes) {
        Adler32 crc = new Adler32();
        crc.update(txnBytes, 0, txnBytes.length);
        out.writeLong(crc.getValue()).writeInt(txnBytes.length);
        out.writeRaw(txnBytes, 0, txnBytes.length);
        out.writeRaw(new byte[] {ZooKeeperLogFile.END_OF_RECORD}, 0, 1);
    }

    private static byte[] withZeros(JuteWriter out, int zeros) {
        out.writeRaw(new byte[zeros], 0, zeros);
        return out.toByteArray();
    }
}
