package io.paddock.core.storage;

import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.wire.Acl;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Human-readable text of a log scan or a snapshot, one line per transaction or node, for
 * operators ({@code bin/paddock log FILE}, {@code bin/paddock snapshot FILE}). Zxids and session
 * ids in hex as in ZooKeeper's logs; control characters in names are escaped so a line stays a line.
 */
public final class StorageDump {
    /** Data longer than this is shown cut, with its full length. */
    private static final int DATA_SHOWN_BYTES_MAX = 32;

    private StorageDump() {}

    public static List<String> describeLog(ScanResult scan) {
        List<String> lines = new ArrayList<>();
        LogHeader header = scan.header();
        lines.add("log " + scan.fileName() + ": " + (header == null ? "no header"
                : "format version " + header.version() + ", base zxid " + hex(header.baseZxid()))
                + ", " + scan.txns().size() + " txns, " + scan.fileBytes() + " bytes");
        for (TxnEnvelope envelope : scan.txns()) {
            lines.add(describeEnvelope(envelope));
        }
        lines.add("end: " + scan.tail() + " at offset " + scan.validEndOffset() + ", " + scan.tailBytes()
                + " bytes after" + (scan.reason().isEmpty() ? "" : ": " + scan.reason()));
        return lines;
    }

    public static List<String> describeSnapshot(SnapshotData snapshot) {
        List<String> lines = new ArrayList<>();
        SnapshotHeader header = snapshot.header();
        lines.add("snapshot " + snapshot.fileName() + ": format version " + header.version() + ", last zxid "
                + hex(header.lastZxid()) + ", time " + time(header.timeMs()) + ", "
                + snapshot.sessions().size() + " sessions, " + snapshot.nodes().size() + " nodes");
        for (SnapshotSession s : snapshot.sessions()) {
            lines.add("session " + hex(s.id()) + " timeout=" + s.timeoutMs() + "ms passwd=" + s.passwd().length + " bytes");
        }
        for (SnapshotNode n : snapshot.nodes()) {
            lines.add("node " + text(n.path()) + " kind=" + n.kind() + " owner=" + hex(n.ephemeralOwner())
                    + " ttl=" + n.ttlMs() + "ms czxid=" + hex(n.czxid()) + " mzxid=" + hex(n.mzxid())
                    + " pzxid=" + hex(n.pzxid()) + " ctime=" + n.ctime() + " mtime=" + n.mtime()
                    + " version=" + n.version() + " cversion=" + n.cversion() + " aversion=" + n.aversion()
                    + " acl=" + acl(n.acl()) + " data=" + data(n.data()));
        }
        return lines;
    }

    public static String describeEnvelope(TxnEnvelope e) {
        return hex(e.zxid()) + " session=" + hex(e.sessionId()) + " cxid=" + e.cxid() + " time="
                + time(e.timeMs()) + " " + describeTxn(e.txn());
    }

    public static String describeTxn(Txn txn) {
        if (txn instanceof Txn.CreateSession t) {
            return "createSession id=" + hex(t.sessionId()) + " timeout=" + t.timeoutMs() + "ms passwd="
                    + (t.passwd() == null ? "null" : t.passwd().length + " bytes");
        } else if (txn instanceof Txn.CloseSession t) {
            return "closeSession id=" + hex(t.sessionId()) + (t.paths() == null ? "" : " paths=" + t.paths().size());
        } else if (txn instanceof Txn.Create t) {
            return "create " + text(t.path()) + " kind=" + t.kind() + " owner=" + hex(t.ephemeralOwner())
                    + " ttl=" + t.ttlMs() + "ms parentCVersion=" + t.parentCVersion() + " create2=" + t.viaCreate2()
                    + " acl=" + acl(t.acl()) + " data=" + data(t.data());
        } else if (txn instanceof Txn.Delete t) {
            return "delete " + text(t.path());
        } else if (txn instanceof Txn.SetData t) {
            return "setData " + text(t.path()) + " version=" + t.version() + " data=" + data(t.data());
        } else if (txn instanceof Txn.SetAcl t) {
            return "setAcl " + text(t.path()) + " aversion=" + t.aversion() + " acl=" + acl(t.acl());
        } else if (txn instanceof Txn.Check t) {
            return "check " + text(t.path()) + " version=" + t.version();
        } else if (txn instanceof Txn.Multi t) {
            StringJoiner ops = new StringJoiner("; ", "multi [", "]");
            t.txns().forEach(inner -> ops.add(describeTxn(inner)));
            return ops.toString();
        } else if (txn instanceof Txn.MultiError t) {
            return "multiError errors=" + t.errors() + " opTypes=" + t.opTypes();
        } else if (txn instanceof Txn.Error t) {
            return "error code=" + t.code();
        }
        throw new IllegalArgumentException("no description for " + txn.getClass().getName());
    }

    static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }

    private static String time(long ms) {
        return ms + " (" + Instant.ofEpochMilli(ms) + ")";
    }

    /** ACL as ZooKeeper's CLI shows permissions: scheme:id:cdrwa. */
    private static String acl(List<Acl> acl) {
        StringJoiner out = new StringJoiner(",", "[", "]");
        for (Acl a : acl) {
            String perms = (a.perms() & Acl.CREATE) != 0 ? "c" : "";
            perms += (a.perms() & Acl.DELETE) != 0 ? "d" : "";
            perms += (a.perms() & Acl.READ) != 0 ? "r" : "";
            perms += (a.perms() & Acl.WRITE) != 0 ? "w" : "";
            perms += (a.perms() & Acl.ADMIN) != 0 ? "a" : "";
            out.add(text(a.id().scheme()) + ":" + text(a.id().id()) + ":" + perms);
        }
        return out.toString();
    }

    /** Printable ASCII data in quotes, anything else in hex; both cut at DATA_SHOWN_BYTES_MAX. */
    private static String data(byte[] data) {
        if (data == null) {
            return "null";
        }
        int shown = Math.min(data.length, DATA_SHOWN_BYTES_MAX);
        boolean printable = true;
        for (int i = 0; i < shown; i++) {
            printable &= data[i] >= 0x20 && data[i] < 0x7f;
        }
        StringBuilder out = new StringBuilder().append(data.length).append(" bytes");
        if (shown > 0) {
            out.append(printable ? " \"" : " 0x");
            for (int i = 0; i < shown; i++) {
                out.append(printable ? String.valueOf((char) data[i]) : String.format("%02x", data[i] & 0xff));
            }
            out.append(printable ? "\"" : "").append(shown < data.length ? "..." : "");
        }
        return out.toString();
    }

    /** The string with control characters escaped as \\uXXXX; "null" for null. */
    private static String text(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
