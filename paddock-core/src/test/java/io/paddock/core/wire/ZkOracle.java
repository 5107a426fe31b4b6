package io.paddock.core.wire;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Supplier;
import org.apache.jute.BinaryInputArchive;
import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.data.ACL;

/** Test helper: ZooKeeper's own jute classes, used as the reference for our bytes. */
final class ZkOracle {
    private ZkOracle() {}

    /** The bytes ZooKeeper writes for {@code record}. */
    static byte[] bytes(Record record) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try {
            record.serialize(BinaryOutputArchive.getArchive(buffer), "record");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    /** ZooKeeper's reading of {@code bytes} into a fresh record from {@code factory}. */
    static <T extends Record> T decode(byte[] bytes, Supplier<T> factory) {
        T record = factory.get();
        try {
            record.deserialize(BinaryInputArchive.getArchive(new ByteArrayInputStream(bytes)), "record");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return record;
    }

    static org.apache.zookeeper.data.Stat stat(Stat s) {
        return new org.apache.zookeeper.data.Stat(s.czxid(), s.mzxid(), s.ctime(), s.mtime(), s.version(),
                s.cversion(), s.aversion(), s.ephemeralOwner(), s.dataLength(), s.numChildren(), s.pzxid());
    }

    static Stat ours(org.apache.zookeeper.data.Stat s) {
        return new Stat(s.getCzxid(), s.getMzxid(), s.getCtime(), s.getMtime(), s.getVersion(),
                s.getCversion(), s.getAversion(), s.getEphemeralOwner(), s.getDataLength(),
                s.getNumChildren(), s.getPzxid());
    }

    static List<ACL> acls(List<Acl> acls) {
        if (acls == null) {
            return null;
        }
        return acls.stream()
                .map(a -> new ACL(a.perms(), new org.apache.zookeeper.data.Id(a.id().scheme(), a.id().id())))
                .toList();
    }
}
