package io.paddock.core.wire.quorum;

import java.io.ByteArrayOutputStream;

/**
 * The snapshot a leader sends after a SNAP with null data, as ZooKeeper's stream ({@link
 * ZooKeeperSnapReader} reads it), handed out in pieces while the tree it was taken from goes on
 * changing. Both methods run on the tree's thread (the replica's loop); the shell asks for the
 * next piece when its connection has room for it, so the leader never holds the whole stream
 * and never stops its loop to make it.
 */
public interface SnapStream {
    /**
     * The next piece, of about {@code pieceBytes} (one node larger than that makes a larger
     * piece), or null once every byte was handed out: the stream then has ended by itself.
     */
    byte[] next(int pieceBytes);

    /** Ends the stream before its end (its connection is gone): the tree stops keeping nodes for it. Idempotent. */
    void abandon();

    /** The rest of the stream in one array (the simulator delivers a SNAP whole; tests). */
    default byte[] readAll(int pieceBytes) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] piece = next(pieceBytes); piece != null; piece = next(pieceBytes)) {
            all.writeBytes(piece);
        }
        return all.toByteArray();
    }

    /** A stream of bytes made already (tests, hosts with no tree). */
    static SnapStream of(byte[] bytes) {
        return new SnapStream() {
            private boolean done;

            @Override
            public byte[] next(int pieceBytes) {
                if (done) {
                    return null;
                }
                done = true;
                return bytes;
            }

            @Override
            public void abandon() {
                done = true;
            }
        };
    }
}
