package io.paddock.core.tree;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * ZooKeeper 3.9's digest of one znode, and the rules of its tree digest (read in release-3.9.5:
 * {@code DigestCalculator}, {@code NodeHashMapImpl}, {@code AdHash}, {@code DataTree}).
 *
 * <ul>
 *   <li>A node's digest is the CRC-32 ({@code java.util.zip.CRC32}, as an unsigned value in a
 *       long) of its path's bytes, then its data (nothing for null), then 60 bytes of stat, big
 *       endian: {@code long czxid, mzxid, pzxid, ctime, mtime; int version, cversion, aversion;
 *       long ephemeralOwner} (ZooKeeper's stored values: cversion counts child creations, the
 *       owner of a container or TTL node is its encoded one). Digest version {@value #VERSION}.
 *   <li>The root's path counts as "" (ZooKeeper keys the root as "" and "/" and maps "/" to "").
 *       ZooKeeper hashes {@code path.getBytes()}, the platform charset; we take UTF-8, which that
 *       is on every JDK from 18 and on any Linux server with a UTF-8 locale.
 *   <li>Every path that starts with {@code "/zookeeper/"} counts 0 (quota nodes change locally);
 *       {@code /zookeeper} itself counts.
 *   <li>The tree digest is the sum, modulo 2^64, of its nodes' digests: a change subtracts a
 *       node's old digest and adds its new one.
 * </ul>
 *
 * <p>CRC-32 is affine over GF(2): for a message {@code P || S} whose last 60 bytes change from
 * {@code S} to {@code S'}, {@code crc(P||S) ^ crc(P||S') = crc(S ^ S') ^ crc(zeros(60))},
 * whatever P is. So a change that touches only the stat (a parent's cversion and pzxid when a
 * child comes or goes, an aversion) updates a digest from the stat fields alone, without the
 * node's path or data ({@link #afterStatChange}); only a new node and a setData hash their data.
 *
 * <p>One instance per thread: it reuses its buffer and CRC.
 */
public final class NodeDigest {
    /** ZooKeeper's {@code DigestCalculator.DIGEST_VERSION} in 3.9. */
    public static final int VERSION = 2;
    /** The subtree ZooKeeper leaves out of its digest ({@code ZooDefs.ZOOKEEPER_NODE_SUBTREE}). */
    public static final String EXCLUDED_PREFIX = "/zookeeper/";
    private static final int STAT_BYTES = 60;
    private static final int PZXID_AT = 16;
    private static final int CVERSION_AT = 44;
    private static final int AVERSION_AT = 48;
    /** crc(zeros(60)): the affine part cancelled in {@link #afterStatChange}. */
    private static final long CRC_OF_ZERO_STAT;

    static {
        CRC32 crc = new CRC32();
        crc.update(new byte[STAT_BYTES]);
        CRC_OF_ZERO_STAT = crc.getValue();
    }

    private final CRC32 crc = new CRC32();
    private final byte[] stat = new byte[STAT_BYTES];
    /** Path, data and stat of a small node, hashed in one pass (see {@link #of}). */
    private final byte[] buffer = new byte[1024];

    /** Whether ZooKeeper leaves this path out of its digest (it then counts 0). */
    public static boolean isExcluded(String path) {
        return path.startsWith(EXCLUDED_PREFIX);
    }

    /** The digest of a node with these stored fields; 0 for an excluded path. */
    public long of(String path, byte[] data, long czxid, long mzxid, long pzxid, long ctime, long mtime,
                   int version, int cversion, int aversion, long storedOwner) {
        if (isExcluded(path)) {
            return 0;
        }
        putLong(0, czxid);
        putLong(8, mzxid);
        putLong(PZXID_AT, pzxid);
        putLong(24, ctime);
        putLong(32, mtime);
        putInt(40, version);
        putInt(CVERSION_AT, cversion);
        putInt(AVERSION_AT, aversion);
        putLong(52, storedOwner);
        crc.reset();
        int pathLength = path.equals(DataTree.ROOT) ? 0 : asciiInto(path);
        int dataLength = data == null ? 0 : data.length;
        if (pathLength >= 0 && pathLength + dataLength + STAT_BYTES <= buffer.length) {
            // One CRC call over path, data and stat laid out together: small nodes (nearly all)
            // cost one pass and no allocation.
            if (dataLength > 0) {
                System.arraycopy(data, 0, buffer, pathLength, dataLength);
            }
            System.arraycopy(stat, 0, buffer, pathLength + dataLength, STAT_BYTES);
            crc.update(buffer, 0, pathLength + dataLength + STAT_BYTES);
        } else {
            if (pathLength >= 0) {
                crc.update(buffer, 0, pathLength);
            } else {
                crc.update(path.getBytes(StandardCharsets.UTF_8));
            }
            if (data != null) {
                crc.update(data);
            }
            crc.update(stat);
        }
        return crc.getValue();
    }

    /**
     * Writes an ASCII path (nearly all are) into the start of the buffer and returns its length;
     * -1 for a path that is longer than the buffer or not ASCII (its UTF-8 bytes are then made).
     */
    private int asciiInto(String path) {
        int length = path.length();
        if (length > buffer.length) {
            return -1;
        }
        for (int i = 0; i < length; i++) {
            char c = path.charAt(i);
            if (c >= 0x80) {
                return -1;
            }
            buffer[i] = (byte) c;
        }
        return length;
    }

    /** The digest of a node as it is now ({@link #of} over its stored fields). */
    public long of(Znode n) {
        return of(n.path, n.data, n.czxid, n.mzxid, n.pzxid, n.ctime, n.mtime, n.version, n.cversion, n.aversion,
                n.encodedEphemeralOwner());
    }

    /**
     * The digest of the node at {@code path} whose digest was {@code digest} after only its pzxid,
     * cversion and aversion changed (from the first to the second of each pair); the other stored
     * fields and the data stay. 0 for an excluded path.
     */
    public long afterStatChange(String path, long digest, long pzxidBefore, long pzxidAfter,
                                int cversionBefore, int cversionAfter, int aversionBefore, int aversionAfter) {
        if (isExcluded(path)) {
            return 0;
        }
        java.util.Arrays.fill(stat, (byte) 0);
        putLong(PZXID_AT, pzxidBefore ^ pzxidAfter);
        putInt(CVERSION_AT, cversionBefore ^ cversionAfter);
        putInt(AVERSION_AT, aversionBefore ^ aversionAfter);
        crc.reset();
        crc.update(stat);
        return digest ^ crc.getValue() ^ CRC_OF_ZERO_STAT;
    }

    private void putLong(int at, long v) {
        putInt(at, (int) (v >>> 32));
        putInt(at + 4, (int) v);
    }

    private void putInt(int at, int v) {
        stat[at] = (byte) (v >>> 24);
        stat[at + 1] = (byte) (v >>> 16);
        stat[at + 2] = (byte) (v >>> 8);
        stat[at + 3] = (byte) v;
    }
}
