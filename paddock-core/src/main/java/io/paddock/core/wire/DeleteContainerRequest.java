package io.paddock.core.wire;

import java.nio.charset.StandardCharsets;

/**
 * deleteContainer: remove an empty container (or expired TTL) node. ZooKeeper's container
 * manager issues it internally, but a client may send it too. Unlike the jute records, its
 * path travels as a buffer holding plain UTF-8 (ZooKeeper's hand-written record), not as a
 * Jute string. A null buffer is a null path, which ZooKeeper answers MARSHALLINGERROR (the
 * request prep does too); it does not close the connection.
 */
public record DeleteContainerRequest(String path) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeBuffer(path == null ? null : path.getBytes(StandardCharsets.UTF_8));
    }

    public static DeleteContainerRequest read(JuteReader in) {
        byte[] path = in.readBuffer();
        return new DeleteContainerRequest(path == null ? null : new String(path, StandardCharsets.UTF_8));
    }
}
