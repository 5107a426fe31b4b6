package io.paddock.core.storage;

import io.paddock.core.CoreConfig;
import io.paddock.core.Effect;
import io.paddock.core.Event;
import io.paddock.core.Replica;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.AuthPacket;
import io.paddock.core.wire.ConnectRequest;
import io.paddock.core.wire.CreateFlags;
import io.paddock.core.wire.CreateRequest;
import io.paddock.core.wire.CreateTTLRequest;
import io.paddock.core.wire.Id;
import io.paddock.core.wire.JuteWriter;
import io.paddock.core.wire.OpCode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hand-made seed inputs for {@link StorageDecoderFuzzTest}, all produced by the code's own
 * encoders: one record per txn variant ({@link StorageSamples}), log files in each state the
 * scanner tells apart, and snapshots of a tree with every node kind, ACLs and sessions.
 */
public final class StorageSeeds {
    private StorageSeeds() {}

    private static final long BASE = 0x500000001L;

    public static Map<String, byte[]> txnRecords() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        List<TxnEnvelope> history = StorageSamples.history(BASE, StorageSamples.everyVariant().size());
        for (int i = 0; i < history.size(); i++) {
            TxnEnvelope e = history.get(i);
            seeds.put(String.format("txn%02d-%s", i, e.txn().getClass().getSimpleName()), TxnCodec.encode(e));
        }
        return seeds;
    }

    public static Map<String, byte[]> logFiles() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        JuteWriter out = new JuteWriter();
        out.writeRaw(LogFormat.header(BASE), 0, LogFormat.HEADER_BYTES);
        for (TxnEnvelope e : StorageSamples.history(BASE, 14)) {
            LogFormat.writeRecord(out, e);
        }
        byte[] clean = out.toByteArray();
        seeds.put("log-clean", clean);
        seeds.put("log-preallocated", Arrays.copyOf(clean, clean.length + LogFormat.SECTOR_BYTES));
        seeds.put("log-torn-last-record", Arrays.copyOf(clean, clean.length - 7));
        byte[] flipped = clean.clone();
        flipped[LogFormat.HEADER_BYTES + 20] ^= 0x10;
        seeds.put("log-flipped-byte", flipped);
        seeds.put("log-header-only", LogFormat.header(BASE));
        seeds.put("log-header-cut", Arrays.copyOf(LogFormat.header(BASE), 9));
        return seeds;
    }

    public static Map<String, byte[]> snapshots() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("snapshot-fresh", snapshotOf(freshReplica()));
        seeds.put("snapshot-every-kind", snapshotOf(replicaWithEveryKind()));
        return seeds;
    }

    private static Replica freshReplica() {
        return new Replica(new CoreConfig(100, 200, 2000, true, 1000, 100, null), 0x100, new byte[] {7}, 1_000_000);
    }

    /** A tree with persistent, sequential, ephemeral, container and TTL nodes, ACLs and unicode. */
    private static Replica replicaWithEveryKind() {
        Replica core = freshReplica();
        step(core, new Event.ClientConnected(1, new ConnectRequest(0, 0, 1000, 0, new byte[16], false, true), "10.0.0.1"));
        step(core, new Event.ClientRequest(1, -4, OpCode.AUTH,
                new AuthPacket(0, "digest", "bob:secret".getBytes(StandardCharsets.UTF_8))));
        byte[] data = "data".getBytes(StandardCharsets.UTF_8);
        List<Acl> mixed = List.of(new Acl(Acl.ALL, new Id("auth", "")), new Acl(Acl.READ, new Id("ip", "10.0.0.0/8")));
        int xid = 1;
        step(core, new Event.ClientRequest(1, xid++, OpCode.CREATE, new CreateRequest("/app", data, Acl.OPEN, 0)));
        step(core, new Event.ClientRequest(1, xid++, OpCode.CREATE,
                new CreateRequest("/app/lock-", null, mixed, CreateFlags.EPHEMERAL_SEQUENTIAL)));
        step(core, new Event.ClientRequest(1, xid++, OpCode.CREATE_CONTAINER,
                new CreateRequest("/box", new byte[0], Acl.READ_ONLY, CreateFlags.CONTAINER)));
        step(core, new Event.ClientRequest(1, xid++, OpCode.CREATE_TTL,
                new CreateTTLRequest("/ttl", data, Acl.OPEN, CreateFlags.PERSISTENT_WITH_TTL, 60_000)));
        step(core, new Event.ClientRequest(1, xid++, OpCode.CREATE,
                new CreateRequest("/ünï/", data, Acl.OPEN, CreateFlags.PERSISTENT_SEQUENTIAL)));
        step(core, new Event.ClientRequest(1, xid, OpCode.CREATE, new CreateRequest("/app/日本😀", data, Acl.OPEN, 0)));
        return core;
    }

    private static void step(Replica core, Event event) {
        for (Effect e : core.step(event)) {
            if (e instanceof Effect.AppendLog a) {
                core.step(new Event.LogAppended(a.txn().zxid()));
            }
        }
    }

    private static byte[] snapshotOf(Replica core) {
        return SnapshotFormat.encode(TreeSnapshot.capture(core.tree(), core.sessions(), core.lastZxid(), 1_700_000_000_000L));
    }
}
