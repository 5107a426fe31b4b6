package io.paddock.core.wire.quorum;

import io.paddock.core.storage.SnapshotData;
import io.paddock.core.storage.SnapshotFormat;
import io.paddock.core.storage.SnapshotHeader;
import io.paddock.core.storage.SnapshotNode;
import io.paddock.core.storage.SnapshotSession;
import io.paddock.core.tree.DataTree;
import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.Id;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the snapshot a ZooKeeper leader streams to a learner right after a SNAP packet whose data
 * is null ({@code LearnerHandler}: the packet, then {@code ZKDatabase.serializeSnapshot}, then the
 * string "BenWasHere"; the learner reads it with {@code SerializeUtils.deserializeSnapshot}). A
 * Paddock leader puts its own snapshot in the SNAP's data instead, so a null data is how a learner
 * tells the two apart. The bytes, all jute, none framed:
 *
 * <pre>
 * sessions:  count int | count x (id long | timeout int)
 * ACL table: count int | count x (ref long | vector of ACL{perms int | scheme string | id string})
 * nodes:     repeated (path string | data buffer | acl ref long | StatPersisted{czxid long | mzxid
 *            long | ctime long | mtime long | version int | cversion int | aversion int |
 *            ephemeralOwner long | pzxid long}), the root's path "", parents before children,
 *            siblings in no order; then the path "/" ends the nodes
 * signature: the string "BenWasHere"
 * </pre>
 * A node's acl ref -1 is OPEN_ACL_UNSAFE, any other must be in the ACL table. The kind of a node is
 * folded into its ephemeralOwner as ZooKeeper stores it ({@link NodeKind#ofEncodedOwner}).
 *
 * <p>Incremental: {@link #decode} reads as many whole items (a session, an ACL table entry, a node)
 * as the bytes given hold and says how many bytes it took, or what it needs before the next item;
 * what has arrived is never copied whole, and an item is parsed once, when it is complete. After
 * the signature it answers the whole snapshot, as {@link SnapshotData} (nodes in the order our
 * format keeps them, sessions with the passwords every ZooKeeper server derives from their ids).
 * The snapshot's /zookeeper/config node is left out, as a ZooKeeper learner replaces it with its
 * own configuration (ZOOKEEPER-2819): the tree it is installed into keeps its own.
 *
 * <p>Every byte is the leader's and untrusted: each string and buffer is held to ZooKeeper's jute
 * limit, every count and what the whole stream costs in memory (see {@link #NODE_COST}) to a byte
 * budget (a share of the learner's heap) before anything is allocated for them, and a node must name a parent already read, a path not read
 * before and an ACL ref in the table. Anything else throws {@link PeerProtocolException}, which
 * ends the connection; the learner then syncs again (and backs off).
 */
public final class ZooKeeperSnapReader {
    /** What a ZooKeeper leader writes after the snapshot ({@code LearnerHandler}). */
    public static final String SIGNATURE = "BenWasHere";
    /** ZooKeeper's ACL ref for OPEN_ACL_UNSAFE ({@code ReferenceCountedACLCache.OPEN_UNSAFE_ACL_ID}). */
    static final long OPEN_ACL_REF = -1L;
    /**
     * What one item costs this server, at least, besides its bytes: the objects it becomes (a
     * session with its derived password; an ACL table entry; a node with its path, held as Java
     * strings) and, for a node, its ACL written out in full, as our format stores it (the stream
     * names it by a ref of 8 bytes). The budget counts these, not the stream's bytes, so that a
     * stream of tiny items, or of many nodes naming one long ACL list, cannot take more memory
     * than the budget says.
     */
    static final int SESSION_COST = 96;
    static final int ACL_ENTRY_COST = 64;
    static final int NODE_COST = 160;
    /** ZooKeeper's root is stored under the path "" and the nodes end with the path "/". */
    private static final String ZK_ROOT = "";
    private static final String END_OF_NODES = "/";

    /**
     * The ACL of a node whose ref is not in the table: world:anyone with no permission, so only a
     * super user may touch it (an empty ACL would let everyone do everything, in ZooKeeper as here).
     */
    static final List<Acl> DENY_ALL = List.of(new Acl(0, Id.ANYONE));

    /** Marks a call that read items but has no snapshot yet (the stream goes on). */
    public static final Object PROGRESS = new Object() {
        @Override
        public String toString() {
            return "ZooKeeper snapshot stream in progress";
        }
    };

    private enum Part { SESSION_COUNT, SESSIONS, ACL_COUNT, ACLS, NODES, SIGNATURE, DONE }

    private final long zxid;
    private final long timeMs;
    private final long budgetBytes;
    private final int stringBytesMax;
    private final String origin;
    /** Whether the signature follows the nodes (a leader's stream) or nothing does (a snapshot file). */
    private final boolean signed;
    private Part part = Part.SESSION_COUNT;
    private long consumed;
    /** What the items read so far cost (see {@link #NODE_COST}); held to the budget. */
    private long held;
    private int unknownAclRefs;
    /** Each ACL table entry's size as our format writes it, by ref. */
    private final Map<Long, Integer> aclBytes = new HashMap<>();
    private int left;
    private final List<SnapshotSession> sessions = new ArrayList<>();
    private final Map<Long, List<Acl>> acls = new HashMap<>();
    private final List<SnapshotNode> nodes = new ArrayList<>();
    private final Set<String> paths = new HashSet<>();

    /**
     * @param zxid the SNAP packet's zxid: what the snapshot covers
     * @param timeMs the time the snapshot is recorded as taken at (it arrives now)
     * @param budgetBytes the most the whole stream may take
     * @param origin names the stream in errors, e.g. "SNAP from server 2"
     */
    public ZooKeeperSnapReader(long zxid, long timeMs, long budgetBytes, String origin) {
        this(zxid, timeMs, budgetBytes, QuorumPacketDecoder.DATA_BYTES_MAX_DEFAULT, origin);
    }


    ZooKeeperSnapReader(long zxid, long timeMs, long budgetBytes, int stringBytesMax, String origin) {
        this(zxid, timeMs, budgetBytes, stringBytesMax, origin, true);
    }

    /**
     * A reader of the same items as a ZooKeeper snapshot <em>file</em> holds them after its file
     * header: the nodes end with the path "/" and no signature follows (the file's checksum seal
     * does, which the caller reads: {@code storage.zookeeper.ZooKeeperSnapshotFile}). {@code zxid}
     * is the one the file's name gives; {@code stringBytesMax} bounds each path, data and ACL id
     * (the server's jute.maxbuffer: what its ZooKeeper could have stored).
     */
    public static ZooKeeperSnapReader forFile(long zxid, long timeMs, long budgetBytes, int stringBytesMax,
                                              String origin) {
        return new ZooKeeperSnapReader(zxid, timeMs, budgetBytes, stringBytesMax, origin, false);
    }

    private ZooKeeperSnapReader(long zxid, long timeMs, long budgetBytes, int stringBytesMax, String origin,
                                boolean signed) {
        if (budgetBytes <= 0 || stringBytesMax <= 0) {
            throw new IllegalArgumentException("limits must be > 0: " + budgetBytes + ", " + stringBytesMax);
        }
        this.zxid = zxid;
        this.timeMs = timeMs;
        this.budgetBytes = budgetBytes;
        this.stringBytesMax = stringBytesMax;
        this.origin = origin;
        this.signed = signed;
    }

    public boolean done() {
        return part == Part.DONE;
    }

    /** Bytes of the stream read so far. */
    public long consumed() {
        return consumed;
    }

    /** Nodes whose ACL ref was not in the snapshot's ACL table (given an empty ACL; see readNode). */
    public int unknownAclRefs() {
        return unknownAclRefs;
    }

    /** What the items read so far cost this server, as the budget counts it. */
    public long held() {
        return held;
    }

    /**
     * Reads whole items from the start of {@code length} bytes at {@code offset}: Complete with
     * {@link #PROGRESS} and the bytes taken while the stream goes on, Complete with the {@link
     * SnapshotData} and the bytes up to the end of the signature once it is read, or NeedMore with
     * the bytes the next item needs at least (counted from {@code offset}).
     */
    public DecodeResult<Object> decode(byte[] bytes, int offset, int length) throws PeerProtocolException {
        if (part == Part.DONE) {
            throw new IllegalStateException(origin + ": the ZooKeeper snapshot was read already");
        }
        int used = 0;
        while (part != Part.DONE) {
            DecodeResult<Boolean> item = PeerInput.attempt(bytes, offset + used, length - used, this::readItem);
            if (item instanceof DecodeResult.NeedMore<Boolean> more) {
                if (used > 0) {
                    return new DecodeResult.Complete<>(PROGRESS, used);
                }
                return new DecodeResult.NeedMore<>(more.bytesNeeded());
            }
            int n = ((DecodeResult.Complete<Boolean>) item).length();
            used += n;
            consumed += n;
            if (held > budgetBytes || consumed > budgetBytes) {
                throw new PeerProtocolException(origin + ": ZooKeeper snapshot larger than the " + budgetBytes
                        + " bytes this server takes (" + consumed + " bytes read, costing " + held + " in memory)");
            }
        }
        return new DecodeResult.Complete<>(snapshot(), used);
    }

    /** Reads one item and moves the state on; a NeedMore inside leaves the state as it was. */
    private Boolean readItem(PeerInput in) throws PeerProtocolException {
        switch (part) {
            case SESSION_COUNT -> {
                left = count(in, "session count", SESSION_COST);
                part = left > 0 ? Part.SESSIONS : Part.ACL_COUNT;
            }
            case SESSIONS -> {
                long id = in.readLong("session id");
                int timeoutMs = in.readInt("session timeout");
                sessions.add(new SnapshotSession(id, timeoutMs, ZabTxnCodec.zooKeeperPassword(id)));
                held += SESSION_COST;
                if (--left == 0) {
                    part = Part.ACL_COUNT;
                }
            }
            case ACL_COUNT -> {
                left = count(in, "ACL table size", ACL_ENTRY_COST);
                part = left > 0 ? Part.ACLS : Part.NODES;
            }
            case ACLS -> {
                long ref = in.readLong("ACL ref");
                List<Acl> list = readAclList(in, ref);
                if (acls.putIfAbsent(ref, list) != null) {
                    throw new PeerProtocolException(origin + ": ACL ref " + ref + " twice in the ACL table");
                }
                int bytes = 4;
                for (Acl acl : list) {
                    bytes += 4 + 8 + 2 * (acl.id().scheme().length() + acl.id().id().length());
                }
                aclBytes.put(ref, bytes);
                held += ACL_ENTRY_COST + 2L * bytes;
                if (--left == 0) {
                    part = Part.NODES;
                }
            }
            case NODES -> readNode(in);
            case SIGNATURE -> {
                String signature = in.readNonNullString("signature", SIGNATURE.length());
                if (!SIGNATURE.equals(signature)) {
                    throw new PeerProtocolException(origin + ": ZooKeeper snapshot ends with \"" + signature
                            + "\", not the signature " + SIGNATURE);
                }
                part = Part.DONE;
            }
            case DONE -> throw new IllegalStateException("read past the end");
        }
        return Boolean.TRUE;
    }

    /** A count of items costing at least {@code itemBytes} each, all of which must fit in the budget. */
    private int count(PeerInput in, String what, int itemBytes) throws PeerProtocolException {
        int n = in.readInt(what);
        long room = Math.max(0, budgetBytes - held);
        if (n < 0 || (long) n * itemBytes > room) {
            throw new PeerProtocolException(origin + ": " + what + " " + n + " outside [0, " + room / itemBytes
                    + "] (the snapshot budget)");
        }
        return n;
    }

    private List<Acl> readAclList(PeerInput in, long ref) throws PeerProtocolException {
        int n = in.readLength("ACL list of ref " + ref, stringBytesMax / 12, false);
        List<Acl> list = new ArrayList<>(Math.min(n, 16));
        for (int i = 0; i < n; i++) {
            int perms = in.readInt("ACL perms");
            Id id = in.readId("ACL id", stringBytesMax);
            list.add(new Acl(perms, id));
        }
        if (list.equals(Acl.OPEN)) {
            return Acl.OPEN;
        }
        if (list.equals(Acl.READ_ONLY)) {
            return Acl.READ_ONLY;
        }
        return List.copyOf(list);
    }

    private void readNode(PeerInput in) throws PeerProtocolException {
        String zkPath = in.readNonNullString("node path", stringBytesMax);
        if (END_OF_NODES.equals(zkPath)) {
            if (!paths.contains(DataTree.ROOT)) {
                throw new PeerProtocolException(origin + ": ZooKeeper snapshot ends its nodes without a root");
            }
            part = signed ? Part.SIGNATURE : Part.DONE;
            return;
        }
        byte[] data = in.readBuffer("data of " + zkPath, stringBytesMax);
        long aclRef = in.readLong("acl of " + zkPath);
        long czxid = in.readLong("czxid");
        long mzxid = in.readLong("mzxid");
        long ctime = in.readLong("ctime");
        long mtime = in.readLong("mtime");
        int version = in.readInt("version");
        int cversion = in.readInt("cversion");
        int aversion = in.readInt("aversion");
        long owner = in.readLong("ephemeralOwner");
        long pzxid = in.readLong("pzxid");

        String path = zkPath.equals(ZK_ROOT) ? DataTree.ROOT : zkPath;
        if (!path.equals(DataTree.ROOT)) {
            checkChildPath(path);
        }
        if (paths.contains(path)) {
            throw new PeerProtocolException(origin + ": node " + path + " twice in the ZooKeeper snapshot");
        }
        List<Acl> acl = aclRef == OPEN_ACL_REF ? Acl.OPEN : acls.get(aclRef);
        if (acl == null) {
            // A node created with a new ACL while the leader serialized its tree, after the ACL
            // table (ZooKeeper's learner logs "Ignoring acl" and keeps going): its create is among
            // the transactions sent after the snapshot, and replaying it gives the node its ACL.
            // Until then, and for good if the leader lied, nobody but a super user may touch it.
            acl = DENY_ALL;
            unknownAclRefs++;
        }
        NodeKind kind;
        try {
            kind = NodeKind.ofEncodedOwner(owner);
        } catch (IllegalArgumentException e) {
            throw new PeerProtocolException(origin + ": node " + path + ": " + e.getMessage());
        }
        if (DataTree.CONFIG.equals(path)) {
            return; // the learner keeps its own (see the class comment); a child of it has no parent
        }
        paths.add(path);
        held += NODE_COST + 2L * path.length() + (data == null ? 0 : data.length)
                + aclBytes.getOrDefault(aclRef, 0);
        nodes.add(new SnapshotNode(path, data, acl, kind, kind == NodeKind.EPHEMERAL ? owner : 0,
                kind == NodeKind.TTL ? NodeKind.ttlOfEncodedOwner(owner) : 0, czxid, mzxid, ctime, mtime,
                version, cversion, aversion, pzxid));
    }

    /** A path under the root whose parent came before it (ZooKeeper refuses the snapshot otherwise). */
    private void checkChildPath(String path) throws PeerProtocolException {
        int slash = path.lastIndexOf('/');
        if (!path.startsWith("/") || slash == path.length() - 1 || path.contains("//")) {
            throw new PeerProtocolException(origin + ": malformed node path \"" + path + "\" in the ZooKeeper snapshot");
        }
        String parent = slash == 0 ? DataTree.ROOT : path.substring(0, slash);
        if (!paths.contains(parent)) {
            throw new PeerProtocolException(origin + ": node " + path + " comes before its parent " + parent
                    + " in the ZooKeeper snapshot");
        }
    }

    private SnapshotData snapshot() {
        nodes.sort(ZooKeeperSnapReader::preorder);
        return new SnapshotData(origin, new SnapshotHeader(SnapshotFormat.VERSION, zxid, timeMs), sessions, nodes);
    }

    /**
     * Our snapshot order: depth first, parents before children, siblings by name
     * ({@code String#compareTo}). Comparing the paths char by char with '/' below every other char
     * gives it, since names hold no '/'.
     */
    static int preorder(SnapshotNode a, SnapshotNode b) {
        return comparePaths(a.path(), b.path());
    }

    /** Our snapshots' node order (see {@link #preorder}) on paths. */
    public static int comparePaths(String a, String b) {
        if (a.equals(DataTree.ROOT) || b.equals(DataTree.ROOT)) {
            return Boolean.compare(!a.equals(DataTree.ROOT), !b.equals(DataTree.ROOT));
        }
        int end = Math.min(a.length(), b.length());
        for (int i = 0; i < end; i++) {
            char ca = a.charAt(i);
            char cb = b.charAt(i);
            if (ca != cb) {
                return (ca == '/' ? -1 : ca) - (cb == '/' ? -1 : cb);
            }
        }
        return a.length() - b.length();
    }
}
