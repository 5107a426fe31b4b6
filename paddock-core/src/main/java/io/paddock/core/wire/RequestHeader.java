package io.paddock.core.wire;

/** Precedes every client request after the handshake: the client's xid and the op code. */
public record RequestHeader(int xid, int type) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeInt(xid).writeInt(type);
    }

    public static RequestHeader read(JuteReader in) {
        return new RequestHeader(in.readInt(), in.readInt());
    }
}
