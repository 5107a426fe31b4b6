package io.paddock.core.wire;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * deleteContainer: remove an empty container (or expired TTL) node. ZooKeeper's container
 * manager issues it internally, but a client may send it too. Unlike the jute records, its
 * path travels as a buffer holding plain UTF-8 (ZooKeeper's hand-written record), not as a
 * Jute string.
 */
public record DeleteContainerRequest(String path) implements JuteRecord {
    public DeleteContainerRequest {
        Objects.requireNonNull(path, "path");
    }

    @Override
    public void write(JuteWriter out) {
        out.writeBuffer(path.getBytes(StandardCharsets.UTF_8));
    }

    public static DeleteContainerRequest read(JuteReader in) {
        byte[] path = in.readBuffer();
        if (path == null) {
            throw new WireException("deleteContainer without a path");
        }
        return new DeleteContainerRequest(new String(path, StandardCharsets.UTF_8));
    }
}
