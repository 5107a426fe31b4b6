package io.paddock.core.storage.zookeeper;

import io.paddock.core.storage.ByteSource;
import io.paddock.core.storage.CorruptSnapshotException;
import io.paddock.core.storage.SnapshotData;
import io.paddock.core.wire.quorum.DecodeResult;
import io.paddock.core.wire.quorum.PeerProtocolException;
import io.paddock.core.wire.quorum.ZooKeeperSnapReader;

/**
 * Reads one of ZooKeeper's snapshot files ({@code FileSnap}), every byte untrusted, into a
 * {@link SnapshotData}.
 *
 * <pre>
 * header:   magic "ZKSN" int | version int (2) | dbid long
 * body:     sessions, ACL table and nodes, as a leader streams them after SNAP ({@link
 *           ZooKeeperSnapReader}), the nodes ending with the path "/"
 * seal:     Adler32 of every byte before it, long | the string "/"
 * trailer:  (3.6 on) the tree digest and its zxid, a seal; (3.9 on) the last processed zxid, a seal
 * </pre>
 *
 * The first seal covers the whole tree and is checked; the trailer is not read (nothing here uses
 * it, and a snapshot that ends after the first seal is one ZooKeeper reads too). The name's zxid
 * is where the snapshot starts: ZooKeeper serializes its tree while it applies transactions, so
 * the file may hold some of the later ones as well, and they are replayed over it as ZooKeeper
 * does. Anything wrong throws {@link CorruptSnapshotException} naming the file and offset (the
 * caller then tries an older snapshot, as ZooKeeper does).
 */
public final class ZooKeeperSnapshotFile {
    private ZooKeeperSnapshotFile() {}

    /**
     * @param zxid the zxid in the file's name
     * @param timeMs the time the snapshot is recorded as taken at (the file's time)
     * @param budgetBytes what the snapshot may cost in memory (see {@link ZooKeeperSnapReader})
     * @param stringBytesMax the longest path, data or ACL id taken (the server's jute.maxbuffer)
     */
    public static SnapshotData read(ByteSource source, String fileName, long zxid, long timeMs, long budgetBytes,
                                    int stringBytesMax) throws CorruptSnapshotException {
        SourceReader in = new SourceReader(source, true);
        if (!in.ensure(ZooKeeperFiles.HEADER_BYTES)) {
            throw new CorruptSnapshotException(fileName, 0, "shorter than a ZooKeeper snapshot's "
                    + ZooKeeperFiles.HEADER_BYTES + "-byte header");
        }
        int magic = in.takeInt();
        if (magic != ZooKeeperFiles.SNAP_MAGIC) {
            throw new CorruptSnapshotException(fileName, 0, "not a ZooKeeper snapshot: magic 0x"
                    + Integer.toHexString(magic) + ", not 0x" + Integer.toHexString(ZooKeeperFiles.SNAP_MAGIC) + " (ZKSN)");
        }
        int version = in.takeInt();
        if (version != ZooKeeperFiles.VERSION) {
            throw new CorruptSnapshotException(fileName, 4, "ZooKeeper snapshot version " + version + "; only "
                    + ZooKeeperFiles.VERSION + " is read");
        }
        in.takeLong(); // dbid: ZooKeeper writes -1 and never reads it
        ZooKeeperSnapReader reader = ZooKeeperSnapReader.forFile(zxid, timeMs, budgetBytes, stringBytesMax, fileName);
        SnapshotData data = null;
        // Each pass consumes bytes or makes more of the file available (or throws at its end).
        while (data == null) {
            DecodeResult<Object> step;
            try {
                step = reader.decode(in.array(), in.position(), in.available());
            } catch (PeerProtocolException e) {
                throw new CorruptSnapshotException(fileName, in.offset(), e.getMessage());
            }
            if (step instanceof DecodeResult.NeedMore<Object> more) {
                if (!in.ensure(more.bytesNeeded())) {
                    throw new CorruptSnapshotException(fileName, in.offset(), "the file ends inside its tree");
                }
            } else {
                DecodeResult.Complete<Object> done = (DecodeResult.Complete<Object>) step;
                in.consume(done.length());
                if (done.value() instanceof SnapshotData d) {
                    data = d;
                }
            }
        }
        long sealAt = in.offset();
        long expected = in.checksum();
        if (!in.ensure(8 + 4 + 1)) {
            throw new CorruptSnapshotException(fileName, sealAt, "the file ends before its checksum");
        }
        long stored = in.takeLong();
        int slashLength = in.takeInt();
        byte slash = in.array()[in.position()];
        if (slashLength != 1 || slash != '/') {
            throw new CorruptSnapshotException(fileName, sealAt + 8, "the checksum is not followed by the string \"/\"");
        }
        if (stored != expected) {
            throw new CorruptSnapshotException(fileName, sealAt, "checksum 0x" + Long.toHexString(stored)
                    + " does not match the content's 0x" + Long.toHexString(expected));
        }
        return data;
    }
}
