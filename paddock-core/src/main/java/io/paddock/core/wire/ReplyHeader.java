package io.paddock.core.wire;

/** Precedes every server reply and notification: echoed xid, the server's zxid, an error code. */
public record ReplyHeader(int xid, long zxid, int err) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        write(out, xid, zxid, err);
    }

    /** Writes a header without making the record (once per reply). */
    public static void write(JuteWriter out, int xid, long zxid, int err) {
        out.writeInt(xid).writeLong(zxid).writeInt(err);
    }

    public static ReplyHeader read(JuteReader in) {
        return new ReplyHeader(in.readInt(), in.readLong(), in.readInt());
    }
}
