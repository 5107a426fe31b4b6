package io.paddock.core.wire.quorum;

import io.paddock.core.wire.Id;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.jute.BinaryInputArchive;
import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.server.quorum.FastLeaderElection;
import org.apache.zookeeper.server.quorum.QuorumCnxManager;

/**
 * Test helper: ZooKeeper 3.9.5's own classes, reached (by reflection where they are package-private)
 * as the reference for the quorum protocol's bytes.
 */
final class ZkQuorumOracle {
    private ZkQuorumOracle() {}

    /** The bytes ZooKeeper's BinaryOutputArchive writes for {@code record}. */
    static byte[] bytes(Record record) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try {
            BinaryOutputArchive.getArchive(buffer).writeRecord(record, "packet");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    /** ZooKeeper's reading of {@code bytes} into {@code record}, with its default limits; IOException if it refuses. */
    static <T extends Record> T read(byte[] bytes, T record) throws IOException {
        BinaryInputArchive.getArchive(new ByteArrayInputStream(bytes)).readRecord(record, "packet");
        return record;
    }

    static org.apache.zookeeper.server.quorum.QuorumPacket zkPacket(QuorumPacket p) {
        List<org.apache.zookeeper.data.Id> ids = p.authinfo() == null ? null
                : p.authinfo().stream().map(id -> new org.apache.zookeeper.data.Id(id.scheme(), id.id())).toList();
        return new org.apache.zookeeper.server.quorum.QuorumPacket(p.type(), p.zxid(), p.data(), ids);
    }

    static QuorumPacket ours(org.apache.zookeeper.server.quorum.QuorumPacket p) {
        List<Id> ids = p.getAuthinfo() == null ? null
                : p.getAuthinfo().stream().map(id -> new Id(id.getScheme(), id.getId())).toList();
        return new QuorumPacket(p.getType(), p.getZxid(), p.getData(), ids);
    }

    /** {@code FastLeaderElection.buildMsg}, the current form (package-private static in ZooKeeper). */
    static byte[] buildMsg(int state, long leader, long zxid, long electionEpoch, long epoch, byte[] config) {
        return invokeBuildMsg(new Class<?>[] {int.class, long.class, long.class, long.class, long.class, byte[].class},
                state, leader, zxid, electionEpoch, epoch, config);
    }

    /** {@code FastLeaderElection.buildMsg} without config: the 40-byte form (version field 1). */
    static byte[] buildMsg40(int state, long leader, long zxid, long electionEpoch, long epoch) {
        return invokeBuildMsg(new Class<?>[] {int.class, long.class, long.class, long.class, long.class},
                state, leader, zxid, electionEpoch, epoch);
    }

    private static byte[] invokeBuildMsg(Class<?>[] types, Object... args) {
        try {
            Method m = FastLeaderElection.class.getDeclaredMethod("buildMsg", types);
            m.setAccessible(true);
            return ((ByteBuffer) m.invoke(null, args)).array();
        } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
            throw new AssertionError("FastLeaderElection.buildMsg", e);
        }
    }

    /**
     * ZooKeeper's {@code QuorumCnxManager.InitialMessage.parse} on our bytes, the way
     * {@code handleConnection} calls it: the first long read, then parse on the rest.
     */
    static QuorumCnxManager.InitialMessage parseInitialMessage(byte[] bytes) throws Exception {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        long version = in.readLong();
        return QuorumCnxManager.InitialMessage.parse(version, in);
    }

    static Object staticField(Class<?> owner, String name) {
        try {
            Field f = owner.getDeclaredField(name);
            f.setAccessible(true);
            return f.get(null);
        } catch (NoSuchFieldException | IllegalAccessException e) {
            throw new AssertionError(owner.getSimpleName() + "." + name, e);
        }
    }
}
