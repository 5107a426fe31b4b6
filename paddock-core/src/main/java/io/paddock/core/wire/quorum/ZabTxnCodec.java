package io.paddock.core.wire.quorum;

import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.Code;
import io.paddock.core.wire.Id;
import io.paddock.core.wire.JuteWriter;
import io.paddock.core.wire.OpCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A transaction as ZooKeeper 3.9.5 carries it in a PROPOSAL's data (and in the proposals a DIFF
 * replays): the bytes of {@code Util.marshallTxnEntry(hdr, txn, digest)}, read back by
 * {@code SerializeUtils.deserializeTxn}. Not our log format ({@code storage.TxnCodec}), which
 * stays as it is.
 *
 * <pre>
 * TxnHeader   32 bytes: long clientId (= our sessionId), int cxid, long zxid, long time, int type
 * body        the jute txn record of that type (zookeeper.jute, module org.apache.zookeeper.txn)
 * TxnDigest   optional, 12 bytes: int version, long treeDigest
 * </pre>
 *
 * <h2>Mapping (checked against release-3.9.5: PrepRequestProcessor, DataTree.processTxn,
 * SerializeUtils.deserializeTxn, ZooKeeperServer, ContainerManager)</h2>
 * <table>
 * <caption>our Txn, ZooKeeper's type and record</caption>
 * <tr><td>CreateSession</td><td>createSession (-10), CreateSessionTxn{int timeOut}</td></tr>
 * <tr><td>CloseSession</td><td>closeSession (-11), CloseSessionTxn{vector of ustring paths2Delete}
 *     when the caller gives the paths (a leader proposing it), else no body (see below)</td></tr>
 * <tr><td>Create PERSISTENT / EPHEMERAL</td><td>create (1), or create2 (15) when
 *     {@code viaCreate2}; CreateTxn{path, data, acl, boolean ephemeral, parentCVersion}</td></tr>
 * <tr><td>Create CONTAINER</td><td>createContainer (19), CreateContainerTxn{path, data, acl,
 *     parentCVersion}</td></tr>
 * <tr><td>Create TTL</td><td>createTTL (21), CreateTTLTxn{path, data, acl, parentCVersion,
 *     long ttl}</td></tr>
 * <tr><td>Delete</td><td>delete (2), DeleteTxn{path}; deleteContainer (20) when the envelope's
 *     session is 0</td></tr>
 * <tr><td>SetData</td><td>setData (5), SetDataTxn{path, data, int version}</td></tr>
 * <tr><td>SetAcl</td><td>setACL (7), SetACLTxn{path, acl, int version}</td></tr>
 * <tr><td>Error</td><td>error (-1), ErrorTxn{int err}</td></tr>
 * <tr><td>Multi</td><td>multi (14), MultiTxn{vector of Txn{int type, buffer data}}, each
 *     data the jute record of its type</td></tr>
 * <tr><td>MultiError</td><td>multi (14) whose every inner Txn is error (-1), ErrorTxn{err}</td></tr>
 * <tr><td>Check</td><td>only inside a multi: check (13), CheckVersionTxn{path, int version}</td></tr>
 * </table>
 *
 * <ul>
 *   <li><b>Creates.</b> ZooKeeper's header type is the client's op code and picks the body
 *       ({@code pRequest2TxnCreate}): createContainer and createTTL have their own records;
 *       create and create2 share CreateTxn, whose {@code ephemeral} flag is the only kind it
 *       carries. {@code DataTree.processTxn} makes an ephemeral's owner the header's clientId,
 *       a container's {@code Long.MIN_VALUE}, a TTL node's {@code 0xFF..|ttl}. So a decoded
 *       ephemeral has {@code ephemeralOwner} = the envelope's sessionId, and encoding refuses an
 *       ephemeral owned by another session. Our {@code viaCreate2} is {@code opCode != create}
 *       (RequestPrep), so createContainer and createTTL decode with it set, and a CONTAINER or
 *       TTL create without it has no bytes: ZooKeeper turns {@code create} with the container
 *       flag into a persistent node (CreateTxn, ephemeral false), a different tree.
 *       Sequential names need nothing: the txn holds the final name.
 *   <li><b>Versions.</b> SetDataTxn.version and SetACLTxn.version are the node's new version and
 *       aversion ({@code checkAndIncVersion} returns current + 1; {@code DataTree.setData} and
 *       {@code setACL} store them as they are), as in our SetData and SetAcl.
 *   <li><b>Check.</b> ZooKeeper's CheckVersionTxn.version is the node's version + 1
 *       ({@code checkAndIncVersion}); our {@code Txn.Check.version} is the version the client
 *       expected (possibly -1). The int travels as it is; neither side applies it
 *       ({@code processTxn} only reads the path). A top-level check is no txn in 3.9
 *       ({@code Request.isValid(check)} is false, {@code deserializeTxn} has no case for it), so
 *       it is refused both ways.
 *   <li><b>Sweep deletes.</b> ZooKeeper's ContainerManager deletes empty containers and expired
 *       TTL nodes with a deleteContainer request of session 0, cxid 0; our sweep's Delete has an
 *       envelope of session 0, so a Delete with session 0 is written as deleteContainer. Both
 *       types apply identically ({@code processTxn}: {@code case delete: case deleteContainer}),
 *       so a deleteContainer from a client session decodes to a Delete that re-encodes as
 *       delete, and inside a multi a Delete is always delete.
 *   <li><b>Failed writes.</b> A single failed write is error (-1) with ErrorTxn(code) (the
 *       {@code catch (KeeperException)} in {@code pRequest}). A failed multi is a multi of
 *       Txns; ZooKeeper's leader keeps the real txns of the ops before the failing one, then
 *       error(code), then error(-2) ({@code case OpCode.multi} in {@code pRequest}), and
 *       {@code processTxn} answers every op before the failure with 0 and every non-error op
 *       after an error with -2. We decode exactly that into {@code MultiError.errors} (one
 *       multi with any inner error is a MultiError); we write every op as ErrorTxn(its code),
 *       which {@code processTxn} answers the same.
 *   <li><b>Sessions.</b> CreateSessionTxn carries only the timeout; every ZooKeeper server
 *       derives a session's password from its id ({@link #zooKeeperPassword}). The header's
 *       clientId is the session. A leader proposing closeSession writes a CloseSessionTxn with
 *       the paths it will delete (the session's ephemerals, committed and pending, as 3.9's
 *       {@code PrepRequestProcessor} lists them with {@code zookeeper.closeSessionTxn.enabled},
 *       its default): {@code DataTree.killSession} deletes those, then any other ephemeral of
 *       the session it holds (with a WARN). Our {@code Txn.CloseSession} carries those paths; one
 *       without (a history re-sent in a DIFF from a log written before the log kept them) is
 *       written without a body, the pre-3.6 form that 3.9 still reads (EOF on CloseSessionTxn:
 *       {@code txn = null}, then it deletes its own list of the session's ephemerals, which is
 *       what our CloseSession means). A CloseSessionTxn body is decoded into the txn's paths.
 *   <li><b>Digest.</b> A TxnDigest follows the txn when the caller gives one (a leader's
 *       proposal: the tree digest once the txn is applied, see {@code tree.NodeDigest}); as in
 *       3.9, where only a write that failed on its own ({@code error}) has none. ZooKeeper
 *       reads a txn without one as "no digest". We read one when the 12 bytes are there and
 *       return it in {@link Decoded#digest()}. A closeSession with a digest always has its
 *       CloseSessionTxn (an empty one when no paths are given): ZooKeeper's reader
 *       (closeSessionTxn enabled, the default) takes a digest right after a body-less
 *       closeSession header for a CloseSessionTxn and fails or loses it (ZabTxnCodecTest shows
 *       "Unreasonable length").
 * </ul>
 *
 * <h2>Not carried (each fails loudly)</h2>
 * <ul>
 *   <li>Encoding ({@link IllegalArgumentException}, a programmer error): a CreateSession whose
 *       password is not {@link #zooKeeperPassword} of its id, or whose id is not the envelope's
 *       session; a CloseSession of another session than the envelope's; an ephemeral owned by
 *       another session than the envelope's (or by session 0), a non-ephemeral with an owner, a
 *       non-TTL create with a TTL, a TTL outside (0, {@link NodeKind#TTL_MS_MAX}]; a CONTAINER or
 *       TTL create without {@code viaCreate2}; a top-level Check; inside a multi anything but
 *       Create, Delete, SetData and Check (ZooKeeper's {@code processTxn} refuses SetACL, session
 *       txns, errors and nested multis there); a MultiError whose two lists differ in length;
 *       a null path or ACL list.
 *   <li>{@code MultiError.opTypes}: not in the bytes we write (every op is error there), so a
 *       MultiError we wrote decodes with opTypes all -1; from ZooKeeper's bytes, opTypes are the
 *       inner types as written (the real op code for the ops before the failure). Nothing
 *       applies opTypes ({@code TxnApplier} answers from {@code errors}); they are for dumps.
 *   <li>Decoding ({@link PeerProtocolException}): types we do not carry (reconfig (16), whose
 *       SetDataTxn changes ZooKeeper's dynamic config; check at the top; anything unknown); see
 *       {@link #decode} for where we are stricter than ZooKeeper's reader.
 * </ul>
 *
 * <p>This class is the one arrow from {@code wire} up to {@code request} and {@code tree} (the
 * Txn model it maps): the brief placed it here beside the other quorum codecs.
 */
public final class ZabTxnCodec {
    /** ZooKeeper's {@code ZooKeeperServer.superSecret} (3.9.5): xored with a session id to seed its password. */
    static final long PASSWORD_SECRET = 0xB3415C00L;
    /** The length of a ZooKeeper session password ({@code generatePasswd}'s array). */
    public static final int PASSWORD_BYTES = 16;

    /** Bytes of the smallest Txn{int type; buffer data} inside a MultiTxn: the bound on its count. */
    private static final int INNER_TXN_BYTES_MIN = 8;
    /** Bytes of the smallest ACL {int perms; Id{ustring; ustring}}. */
    private static final int ACL_BYTES_MIN = 12;
    /** Bytes of the smallest ustring (its length). */
    private static final int STRING_BYTES_MIN = 4;

    private ZabTxnCodec() {}

    /**
     * A transaction read from a peer.
     *
     * @param digest the leader's TxnDigest, or null when the bytes carried none
     */
    public record Decoded(TxnEnvelope envelope, TxnDigest digest) {
    }

    /**
     * The bytes of {@code env} without a TxnDigest, and a closeSession without a body.
     *
     * @throws IllegalArgumentException when the txn holds something these bytes cannot carry
     *     (see the class comment)
     */
    public static byte[] encode(TxnEnvelope env) {
        return encode(env, null);
    }

    /**
     * The bytes a ZooKeeper 3.9.5 leader proposes for {@code env}: {@code digest} (null for none)
     * after the txn, and for a closeSession the CloseSessionTxn of its paths (none when it has
     * none; an empty one all the same when there is a digest).
     *
     * @throws IllegalArgumentException when the txn holds something these bytes cannot carry
     *     (see the class comment)
     */
    public static byte[] encode(TxnEnvelope env, TxnDigest digest) {
        JuteWriter out = new JuteWriter(128);
        Txn txn = env.txn();
        new TxnHeader(env.sessionId(), env.cxid(), env.zxid(), env.timeMs(), topType(env)).write(out);
        writeTopBody(out, env.sessionId(), txn);
        if (txn instanceof Txn.CloseSession close && (close.paths() != null || digest != null)) {
            List<String> paths = close.paths() == null ? List.of() : close.paths();
            out.writeInt(paths.size());
            for (String path : paths) {
                writePath(out, path);
            }
        }
        if (digest != null) {
            digest.write(out);
        }
        return out.toByteArray();
    }

    /** The header type ZooKeeper gives {@code env}'s txn. */
    private static int topType(TxnEnvelope env) {
        Txn txn = env.txn();
        if (txn instanceof Txn.CreateSession) {
            return OpCode.CREATE_SESSION;
        } else if (txn instanceof Txn.CloseSession) {
            return OpCode.CLOSE_SESSION;
        } else if (txn instanceof Txn.Delete) {
            return env.sessionId() == 0 ? OpCode.DELETE_CONTAINER : OpCode.DELETE;
        } else if (txn instanceof Txn.SetAcl) {
            return OpCode.SET_ACL;
        } else if (txn instanceof Txn.Multi || txn instanceof Txn.MultiError) {
            return OpCode.MULTI;
        } else if (txn instanceof Txn.Error) {
            return OpCode.ERROR;
        } else if (txn instanceof Txn.Check) {
            throw new IllegalArgumentException("a check is a txn only inside a multi in ZooKeeper 3.9: " + txn);
        }
        return innerType(txn, env.sessionId());
    }

    private static void writeTopBody(JuteWriter out, long sessionId, Txn txn) {
        if (txn instanceof Txn.CreateSession t) {
            require(t.sessionId() == sessionId, "a createSession's session is the header's clientId", t);
            require(Arrays.equals(t.passwd(), zooKeeperPassword(t.sessionId())),
                    "ZooKeeper's createSession carries no password: it must be zooKeeperPassword(sessionId)", t);
            out.writeInt(t.timeoutMs());
        } else if (txn instanceof Txn.CloseSession t) {
            require(t.sessionId() == sessionId, "a closeSession's session is the header's clientId", t);
            // the CloseSessionTxn, if any, is written by encode (see the class comment)
        } else if (txn instanceof Txn.SetAcl t) {
            writePath(out, t.path());
            writeAcl(out, t.acl());
            out.writeInt(t.aversion());
        } else if (txn instanceof Txn.Multi t) {
            out.writeInt(t.txns().size());
            for (Txn inner : t.txns()) {
                JuteWriter body = new JuteWriter(64);
                writeInnerBody(body, sessionId, inner);
                out.writeInt(innerType(inner, sessionId)).writeBuffer(body.toByteArray());
            }
        } else if (txn instanceof Txn.MultiError t) {
            require(t.errors().size() == t.opTypes().size(), "a failed multi has one error per op", t);
            out.writeInt(t.errors().size());
            for (int err : t.errors()) {
                out.writeInt(OpCode.ERROR).writeBuffer(new JuteWriter(4).writeInt(err).toByteArray());
            }
        } else if (txn instanceof Txn.Error t) {
            out.writeInt(t.code());
        } else {
            writeInnerBody(out, sessionId, txn);
        }
    }

    /** The type of a txn that may stand inside a multi (ZooKeeper's {@code processTxn} list). */
    private static int innerType(Txn txn, long sessionId) {
        if (txn instanceof Txn.Create c) {
            return createType(c, sessionId);
        } else if (txn instanceof Txn.Delete) {
            return OpCode.DELETE;
        } else if (txn instanceof Txn.SetData) {
            return OpCode.SET_DATA;
        } else if (txn instanceof Txn.Check) {
            return OpCode.CHECK;
        }
        throw new IllegalArgumentException("ZooKeeper's multi cannot hold " + txn);
    }

    private static void writeInnerBody(JuteWriter out, long sessionId, Txn txn) {
        if (txn instanceof Txn.Create c) {
            writeCreate(out, c, createType(c, sessionId));
        } else if (txn instanceof Txn.Delete t) {
            writePath(out, t.path());
        } else if (txn instanceof Txn.SetData t) {
            writePath(out, t.path());
            out.writeBuffer(t.data()).writeInt(t.version());
        } else if (txn instanceof Txn.Check t) {
            writePath(out, t.path());
            out.writeInt(t.version());
        } else {
            throw new IllegalArgumentException("ZooKeeper's multi cannot hold " + txn);
        }
    }

    /** Checks what CreateTxn / CreateContainerTxn / CreateTTLTxn can carry, and picks the type. */
    private static int createType(Txn.Create c, long sessionId) {
        require(c.kind() == NodeKind.TTL ? c.ttlMs() > 0 && c.ttlMs() <= NodeKind.TTL_MS_MAX : c.ttlMs() == 0,
                "a TTL create needs a TTL in (0, 2^40), any other create none", c);
        require(c.kind() == NodeKind.EPHEMERAL ? c.ephemeralOwner() == sessionId && sessionId != 0
                : c.ephemeralOwner() == 0, "an ephemeral's owner is the header's clientId, others have none", c);
        return switch (c.kind()) {
            case PERSISTENT, EPHEMERAL -> c.viaCreate2() ? OpCode.CREATE2 : OpCode.CREATE;
            case CONTAINER -> {
                require(c.viaCreate2(), "ZooKeeper makes create(1) with the container flag a persistent node", c);
                yield OpCode.CREATE_CONTAINER;
            }
            case TTL -> {
                require(c.viaCreate2(), "a TTL node comes only from createTTL", c);
                yield OpCode.CREATE_TTL;
            }
        };
    }

    private static void writeCreate(JuteWriter out, Txn.Create c, int type) {
        writePath(out, c.path());
        out.writeBuffer(c.data());
        writeAcl(out, c.acl());
        switch (type) {
            case OpCode.CREATE, OpCode.CREATE2 -> out.writeBool(c.kind() == NodeKind.EPHEMERAL).writeInt(c.parentCVersion());
            case OpCode.CREATE_CONTAINER -> out.writeInt(c.parentCVersion());
            case OpCode.CREATE_TTL -> out.writeInt(c.parentCVersion()).writeLong(c.ttlMs());
            default -> throw new IllegalStateException("not a create type: " + type);
        }
    }

    private static void writePath(JuteWriter out, String path) {
        if (path == null) {
            throw new IllegalArgumentException("a txn's path must not be null");
        }
        out.writeString(path);
    }

    private static void writeAcl(JuteWriter out, List<Acl> acl) {
        if (acl == null) {
            throw new IllegalArgumentException("a txn's ACL list must not be null");
        }
        Acl.writeList(out, acl);
    }

    private static void require(boolean ok, String why, Txn txn) {
        if (!ok) {
            throw new IllegalArgumentException(why + ": " + txn);
        }
    }

    /**
     * Reads a transaction from a peer's PROPOSAL data (untrusted). Accepts everything ZooKeeper
     * 3.9.5's leader writes: with or without a TxnDigest, closeSession with or without its
     * CloseSessionTxn (and, when those 12 bytes are no CloseSessionTxn, a digest alone), a failed
     * multi in ZooKeeper's form or ours.
     *
     * <p>Stricter than {@code SerializeUtils.deserializeTxn} (input no ZooKeeper writes): after
     * the body there must be nothing or exactly a TxnDigest (ZooKeeper ignores other trailing
     * bytes); an inner Txn's data must be exactly its record; booleans are 0 or 1; null paths,
     * ACL lists, vectors and inner data are refused (ZooKeeper never writes them, and would fail
     * on most); zxid must be positive; an ephemeral create needs a session (ZooKeeper would
     * quietly make it persistent); a TTL outside (0, 2^40) is refused (ZooKeeper's
     * {@code processTxn} would throw). Multis do not nest (ZooKeeper refuses an inner multi),
     * which bounds the depth at one. Every count is bounded by the bytes left before anything is
     * allocated.
     *
     * @throws PeerProtocolException for anything else, with what was wrong
     */
    public static Decoded decode(byte[] data) throws PeerProtocolException {
        if (data == null) {
            throw new PeerProtocolException("a proposal without data has no txn");
        }
        PeerInput in = PeerInput.of(data);
        TxnHeader h = TxnHeader.read(in);
        if (h.zxid() <= 0) {
            throw new PeerProtocolException("txn zxid must be positive: 0x" + Long.toHexString(h.zxid()));
        }
        Txn txn;
        switch (h.type()) {
            case OpCode.CREATE_SESSION -> txn = new Txn.CreateSession(h.clientId(), in.readInt("timeOut"),
                    zooKeeperPassword(h.clientId()));
            case OpCode.CLOSE_SESSION -> txn = new Txn.CloseSession(h.clientId(), readCloseSessionBody(data, in));
            case OpCode.SET_ACL -> txn = new Txn.SetAcl(readPath(in), readAcl(in), in.readInt("aversion"));
            case OpCode.ERROR -> txn = new Txn.Error(in.readInt("err"));
            case OpCode.MULTI -> txn = readMulti(in, h.clientId());
            case OpCode.CHECK -> throw new PeerProtocolException("a check outside a multi is no txn in ZooKeeper 3.9");
            default -> txn = readInnerBody(in, h.type(), h.clientId());
        }
        TxnDigest digest = readDigest(in);
        return new Decoded(new TxnEnvelope(h.zxid(), h.clientId(), h.cxid(), h.time(), txn), digest);
    }

    /** Nothing, or exactly a TxnDigest. */
    private static TxnDigest readDigest(PeerInput in) throws PeerProtocolException {
        if (in.remaining() == 0) {
            return null;
        }
        if (in.remaining() != TxnDigest.BYTES) {
            throw new PeerProtocolException(in.remaining() + " bytes after the txn: neither none nor a "
                    + TxnDigest.BYTES + "-byte TxnDigest");
        }
        return TxnDigest.read(in);
    }

    /**
     * The CloseSessionTxn's paths, or null when there is none: no bytes at all (the pre-3.6 form,
     * or a 3.9 leader with {@code zookeeper.closeSessionTxn.enabled=false}), or 12 bytes that are
     * no whole CloseSessionTxn, which ZooKeeper would read as a digest alone (its reader tries
     * CloseSessionTxn first, so 12 bytes that are one are a body, as here).
     */
    private static List<String> readCloseSessionBody(byte[] data, PeerInput in) throws PeerProtocolException {
        if (in.remaining() == 0) {
            return null;
        }
        if (in.remaining() == TxnDigest.BYTES && !isWholeCloseSessionTxn(data, in.consumed())) {
            return null;
        }
        return readStrings(in, "paths2Delete");
    }

    private static boolean isWholeCloseSessionTxn(byte[] data, int offset) {
        PeerInput probe = PeerInput.of(data, offset, data.length - offset);
        try {
            readStrings(probe, "paths2Delete");
            return probe.remaining() == 0;
        } catch (PeerProtocolException notOne) {
            return false;
        }
    }

    /** The record of a type that may stand inside a multi (and, but for check, on its own). */
    private static Txn readInnerBody(PeerInput in, int type, long sessionId) throws PeerProtocolException {
        return switch (type) {
            case OpCode.CREATE, OpCode.CREATE2 -> {
                String path = readPath(in);
                byte[] data = readData(in);
                List<Acl> acl = readAcl(in);
                boolean ephemeral = readBool(in, "ephemeral");
                int parentCVersion = in.readInt("parentCVersion");
                if (ephemeral && sessionId == 0) {
                    throw new PeerProtocolException("an ephemeral create of session 0: " + path);
                }
                yield new Txn.Create(path, data, acl, ephemeral ? NodeKind.EPHEMERAL : NodeKind.PERSISTENT,
                        ephemeral ? sessionId : 0, 0, parentCVersion, type == OpCode.CREATE2);
            }
            case OpCode.CREATE_CONTAINER -> new Txn.Create(readPath(in), readData(in), readAcl(in),
                    NodeKind.CONTAINER, 0, 0, in.readInt("parentCVersion"), true);
            case OpCode.CREATE_TTL -> {
                String path = readPath(in);
                byte[] data = readData(in);
                List<Acl> acl = readAcl(in);
                int parentCVersion = in.readInt("parentCVersion");
                long ttl = in.readLong("ttl");
                if (ttl <= 0 || ttl > NodeKind.TTL_MS_MAX) {
                    throw new PeerProtocolException("TTL " + ttl + " outside (0, " + NodeKind.TTL_MS_MAX + "]: " + path);
                }
                yield new Txn.Create(path, data, acl, NodeKind.TTL, 0, ttl, parentCVersion, true);
            }
            case OpCode.DELETE, OpCode.DELETE_CONTAINER -> new Txn.Delete(readPath(in));
            case OpCode.SET_DATA -> new Txn.SetData(readPath(in), readData(in), in.readInt("version"));
            case OpCode.CHECK -> new Txn.Check(readPath(in), in.readInt("version"));
            default -> throw new PeerProtocolException("txn type " + type + " is not one we carry"
                    + (type == OpCode.RECONFIG ? " (reconfig)" : ""));
        };
    }

    /** A MultiTxn; a MultiError when any inner txn is an error, read as {@code processTxn} reads it. */
    private static Txn readMulti(PeerInput in, long sessionId) throws PeerProtocolException {
        int count = in.readLength("multi count", in.remaining() / INNER_TXN_BYTES_MIN, false);
        List<Txn> txns = new ArrayList<>(count);
        List<Integer> types = new ArrayList<>(count);
        List<Integer> errors = new ArrayList<>(count);
        boolean anyError = false;
        for (int i = 0; i < count; i++) {
            int type = in.readInt("inner txn type");
            int length = in.readLength("inner txn data", in.remaining(), false);
            PeerInput inner = PeerInput.of(in.readBytes(length, "inner txn data"));
            types.add(type);
            if (type == OpCode.ERROR) {
                anyError = true;
                errors.add(inner.readInt("err"));
                txns.add(null);
            } else if (type == OpCode.MULTI) {
                throw new PeerProtocolException("a multi inside a multi");
            } else {
                txns.add(readInnerBody(inner, type, sessionId));
                errors.add(null);
            }
            if (inner.remaining() != 0) {
                throw new PeerProtocolException(inner.remaining() + " bytes after inner txn " + i + " (type " + type + ")");
            }
        }
        if (!anyError) {
            return new Txn.Multi(txns);
        }
        // processTxn: a non-error op answers 0 before the first error and -2 after one.
        boolean afterError = false;
        for (int i = 0; i < count; i++) {
            if (errors.get(i) != null) {
                afterError = true;
            } else {
                errors.set(i, afterError ? Code.RUNTIME_INCONSISTENCY : Code.OK);
            }
        }
        return new Txn.MultiError(errors, types);
    }

    private static String readPath(PeerInput in) throws PeerProtocolException {
        return in.readNonNullString("path", in.remaining());
    }

    private static byte[] readData(PeerInput in) throws PeerProtocolException {
        return in.readBuffer("data", in.remaining());
    }

    private static List<Acl> readAcl(PeerInput in) throws PeerProtocolException {
        int count = in.readLength("acl count", in.remaining() / ACL_BYTES_MIN, false);
        List<Acl> acl = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int perms = in.readInt("acl perms");
            Id id = in.readId("acl id", in.remaining());
            acl.add(new Acl(perms, id));
        }
        return acl;
    }

    private static List<String> readStrings(PeerInput in, String what) throws PeerProtocolException {
        int count = in.readLength(what + " count", in.remaining() / STRING_BYTES_MIN, false);
        List<String> strings = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            strings.add(in.readNonNullString(what, in.remaining()));
        }
        return strings;
    }

    private static boolean readBool(PeerInput in, String what) throws PeerProtocolException {
        byte b = in.readBytes(1, what)[0];
        if (b != 0 && b != 1) {
            throw new PeerProtocolException(what + ": boolean byte " + b);
        }
        return b == 1;
    }

    /**
     * The password every ZooKeeper 3.9.5 server gives session {@code sessionId}
     * ({@code ZooKeeperServer.generatePasswd}: 16 bytes from the JDK's Random seeded with
     * {@code sessionId ^ superSecret}, superSecret = 0xB3415C00). The Random's steps are the ones
     * its javadoc specifies (a 48-bit linear congruential generator; {@code nextBytes} takes each
     * {@code nextInt()} low byte first), written out here because the core takes no randomness.
     */
    public static byte[] zooKeeperPassword(long sessionId) {
        final long multiplier = 0x5DEECE66DL;
        final long addend = 0xBL;
        final long mask = (1L << 48) - 1;
        long seed = ((sessionId ^ PASSWORD_SECRET) ^ multiplier) & mask; // setSeed's scramble
        byte[] passwd = new byte[PASSWORD_BYTES];
        for (int i = 0; i < passwd.length; ) {
            seed = (seed * multiplier + addend) & mask;
            int rnd = (int) (seed >>> 16); // next(32)
            for (int n = Math.min(passwd.length - i, Integer.BYTES); n-- > 0; rnd >>= Byte.SIZE) {
                passwd[i++] = (byte) rnd;
            }
        }
        return passwd;
    }
}
