package io.paddock.core.storage;

import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.JuteReader;
import io.paddock.core.wire.JuteWriter;
import io.paddock.core.wire.WireException;
import java.util.ArrayList;
import java.util.List;

/**
 * Our byte format of a transaction (not ZooKeeper's): the envelope (zxid, sessionId, cxid,
 * timeMs) then the txn as a one-byte type tag followed by its fields, in Jute primitives.
 * Round trips are exact, strings included (see {@link ExactStrings}). Decoding rejects unknown
 * tags, impossible values and trailing bytes with {@link WireException}: a record that passed
 * its CRC but does not decode was not written by us and must be reported, never guessed at.
 *
 * <p>Tags are part of the on-disk format: never renumber them; add new ones at the end and bump
 * {@link LogFormat#VERSION}.
 */
public final class TxnCodec {
    static final byte TAG_CREATE_SESSION = 1;
    static final byte TAG_CLOSE_SESSION = 2;
    static final byte TAG_CREATE = 3;
    static final byte TAG_DELETE = 4;
    static final byte TAG_SET_DATA = 5;
    static final byte TAG_SET_ACL = 6;
    static final byte TAG_CHECK = 7;
    static final byte TAG_MULTI = 8;
    static final byte TAG_MULTI_ERROR = 9;
    static final byte TAG_ERROR = 10;
    /** A closeSession with the paths its leader deleted (log format version 2). */
    static final byte TAG_CLOSE_SESSION_PATHS = 11;

    /** Multis may nest; this bounds the recursion a hostile record can cause. */
    public static final int MULTI_DEPTH_MAX = 8;

    private TxnCodec() {}

    public static byte[] encode(TxnEnvelope envelope) {
        JuteWriter out = new JuteWriter(128);
        write(out, envelope);
        return out.toByteArray();
    }

    public static void write(JuteWriter out, TxnEnvelope envelope) {
        out.writeLong(envelope.zxid()).writeLong(envelope.sessionId())
                .writeInt(envelope.cxid()).writeLong(envelope.timeMs());
        writeTxn(out, envelope.txn());
    }

    /** Decodes exactly one envelope filling {@code bytes[offset, offset + length)}. */
    public static TxnEnvelope decode(byte[] bytes, int offset, int length) {
        JuteReader in = new JuteReader(bytes, offset, length);
        TxnEnvelope envelope = read(in);
        if (in.hasRemaining()) {
            throw new WireException(in.remaining() + " trailing bytes after txn");
        }
        return envelope;
    }

    public static TxnEnvelope decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    public static TxnEnvelope read(JuteReader in) {
        long zxid = in.readLong();
        if (zxid <= 0) {
            throw new WireException("zxid must be positive: 0x" + Long.toHexString(zxid));
        }
        long sessionId = in.readLong();
        int cxid = in.readInt();
        long timeMs = in.readLong();
        return new TxnEnvelope(zxid, sessionId, cxid, timeMs, readTxn(in));
    }

    public static void writeTxn(JuteWriter out, Txn txn) {
        if (txn instanceof Txn.CreateSession t) {
            out.writeByte(TAG_CREATE_SESSION).writeLong(t.sessionId()).writeInt(t.timeoutMs()).writeBuffer(t.passwd());
        } else if (txn instanceof Txn.CloseSession t && t.paths() == null) {
            out.writeByte(TAG_CLOSE_SESSION).writeLong(t.sessionId());
        } else if (txn instanceof Txn.CloseSession t) {
            out.writeByte(TAG_CLOSE_SESSION_PATHS).writeLong(t.sessionId()).writeInt(t.paths().size());
            t.paths().forEach(path -> ExactStrings.write(out, path));
        } else if (txn instanceof Txn.Create t) {
            writeCreate(out, t);
        } else if (txn instanceof Txn.Delete t) {
            writePath(out, TAG_DELETE, t.path());
        } else if (txn instanceof Txn.SetData t) {
            writePath(out, TAG_SET_DATA, t.path()).writeBuffer(t.data()).writeInt(t.version());
        } else if (txn instanceof Txn.SetAcl t) {
            writePath(out, TAG_SET_ACL, t.path());
            writeAcl(out, t.acl());
            out.writeInt(t.aversion());
        } else if (txn instanceof Txn.Check t) {
            writePath(out, TAG_CHECK, t.path()).writeInt(t.version());
        } else if (txn instanceof Txn.Multi t) {
            out.writeByte(TAG_MULTI).writeInt(t.txns().size());
            t.txns().forEach(inner -> writeTxn(out, inner));
        } else if (txn instanceof Txn.MultiError t) {
            out.writeByte(TAG_MULTI_ERROR);
            out.writeVector(t.errors(), JuteWriter::writeInt);
            out.writeVector(t.opTypes(), JuteWriter::writeInt);
        } else if (txn instanceof Txn.Error t) {
            out.writeByte(TAG_ERROR).writeInt(t.code());
        } else {
            throw new IllegalArgumentException("no codec for " + txn.getClass().getName());
        }
    }

    public static Txn readTxn(JuteReader in) {
        return readTxn(in, 0);
    }

    private static Txn readTxn(JuteReader in, int depth) {
        byte tag = in.readByte();
        return switch (tag) {
            case TAG_CREATE_SESSION -> new Txn.CreateSession(in.readLong(), in.readInt(), in.readBuffer());
            case TAG_CLOSE_SESSION -> new Txn.CloseSession(in.readLong());
            case TAG_CLOSE_SESSION_PATHS -> readCloseSessionPaths(in);
            case TAG_CREATE -> readCreate(in);
            case TAG_DELETE -> new Txn.Delete(readPath(in));
            case TAG_SET_DATA -> new Txn.SetData(readPath(in), in.readBuffer(), in.readInt());
            case TAG_SET_ACL -> new Txn.SetAcl(readPath(in), readAcl(in), in.readInt());
            case TAG_CHECK -> new Txn.Check(readPath(in), in.readInt());
            case TAG_MULTI -> readMulti(in, depth);
            case TAG_MULTI_ERROR -> new Txn.MultiError(readInts(in), readInts(in));
            case TAG_ERROR -> new Txn.Error(in.readInt());
            default -> throw new WireException("unknown txn tag " + tag);
        };
    }

    private static Txn.CloseSession readCloseSessionPaths(JuteReader in) {
        long sessionId = in.readLong();
        int count = in.readInt();
        if (count < 0 || count > in.remaining() / 4) { // a path takes 4 bytes at least
            throw new WireException("closeSession path count " + count + " out of range");
        }
        List<String> paths = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            paths.add(readPath(in));
        }
        return new Txn.CloseSession(sessionId, paths);
    }

    private static void writeCreate(JuteWriter out, Txn.Create t) {
        writePath(out, TAG_CREATE, t.path());
        out.writeBuffer(t.data());
        writeAcl(out, t.acl());
        out.writeByte(kindCode(t.kind())).writeLong(t.ephemeralOwner()).writeLong(t.ttlMs())
                .writeInt(t.parentCVersion()).writeBool(t.viaCreate2());
    }

    private static Txn.Create readCreate(JuteReader in) {
        String path = readPath(in);
        byte[] data = in.readBuffer();
        List<Acl> acl = readAcl(in);
        NodeKind kind = kindOf(in.readByte());
        return new Txn.Create(path, data, acl, kind, in.readLong(), in.readLong(), in.readInt(), readStrictBool(in));
    }

    private static Txn.Multi readMulti(JuteReader in, int depth) {
        if (depth >= MULTI_DEPTH_MAX) {
            throw new WireException("multi nested deeper than " + MULTI_DEPTH_MAX);
        }
        int count = in.readInt();
        // Every txn takes at least its tag byte: bounds the count before anything is allocated.
        if (count < 0 || count > in.remaining()) {
            throw new WireException("bad multi count " + count + " with " + in.remaining() + " bytes left");
        }
        List<Txn> txns = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            txns.add(readTxn(in, depth + 1));
        }
        return new Txn.Multi(txns);
    }

    private static JuteWriter writePath(JuteWriter out, byte tag, String path) {
        out.writeByte(tag);
        ExactStrings.write(out, path);
        return out;
    }

    private static void writeAcl(JuteWriter out, List<Acl> acl) {
        if (acl == null) {
            throw new IllegalArgumentException("a txn's acl list must not be null");
        }
        Acl.writeList(out, acl);
    }

    /**
     * Paths are never null in a txn (the core validates them before it logs anything); a null
     * string on disk is damage, and replaying it would fail in the tree instead of here.
     */
    private static String readPath(JuteReader in) {
        String path = ExactStrings.read(in);
        if (path == null) {
            throw new WireException("null path");
        }
        return path;
    }

    /** ACL lists are never null in a txn; a null vector on disk is damage, not a value. */
    private static List<Acl> readAcl(JuteReader in) {
        List<Acl> acl = StoredAcls.read(in);
        if (acl == null) {
            throw new WireException("null acl list");
        }
        return acl;
    }

    private static List<Integer> readInts(JuteReader in) {
        List<Integer> ints = in.readVector(JuteReader::readInt);
        if (ints == null) {
            throw new WireException("null int list in multi error");
        }
        return ints;
    }

    private static boolean readStrictBool(JuteReader in) {
        byte b = in.readByte();
        if (b != 0 && b != 1) {
            throw new WireException("bad boolean byte " + b);
        }
        return b == 1;
    }

    static byte kindCode(NodeKind kind) {
        return switch (kind) {
            case PERSISTENT -> 0;
            case EPHEMERAL -> 1;
            case CONTAINER -> 2;
            case TTL -> 3;
        };
    }

    static NodeKind kindOf(byte code) {
        return switch (code) {
            case 0 -> NodeKind.PERSISTENT;
            case 1 -> NodeKind.EPHEMERAL;
            case 2 -> NodeKind.CONTAINER;
            case 3 -> NodeKind.TTL;
            default -> throw new WireException("unknown node kind code " + code);
        };
    }
}
