package io.paddock.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.paddock.core.Effect.CloseClient;
import io.paddock.core.Effect.ConnectReply;
import io.paddock.core.Effect.Reply;
import io.paddock.core.Effect.Trace;
import io.paddock.core.Event.ClientConnected;
import io.paddock.core.Event.ClientRequest;
import io.paddock.core.Event.LogAppended;
import io.paddock.core.wire.Code;
import io.paddock.core.wire.ConnectRequest;
import io.paddock.core.wire.JuteReader;
import io.paddock.core.wire.JuteRecord;
import io.paddock.core.wire.JuteWriter;
import io.paddock.core.wire.OpCode;
import io.paddock.core.wire.Requests;
import io.paddock.core.wire.WireException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A fuzz target for null fields: random request bodies for every op code a client may send,
 * in which every string, buffer and vector is often null (and often empty, or a path that
 * exists), are decoded as the server decodes them and fed to one core from a few connections.
 * No request may reach the core's request boundary (no "failed in the core" trace, no
 * SYSTEMERROR reply): every null is handled on purpose. The invariants hold after every step.
 * A failure prints the seed and the request that caused it.
 */
class NullFieldsFuzzTest {
    private static final int SEEDS = 20;
    private static final int STEPS_PER_SEED = 400;
    private static final int[] OP_CODES = {
        OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER, OpCode.CREATE_TTL, OpCode.DELETE,
        OpCode.DELETE_CONTAINER, OpCode.EXISTS, OpCode.GET_DATA, OpCode.SET_DATA, OpCode.GET_ACL,
        OpCode.SET_ACL, OpCode.GET_CHILDREN, OpCode.GET_CHILDREN2, OpCode.SYNC, OpCode.MULTI,
        OpCode.MULTI_READ, OpCode.RECONFIG, OpCode.CHECK_WATCHES, OpCode.REMOVE_WATCHES, OpCode.AUTH,
        OpCode.SET_WATCHES, OpCode.SET_WATCHES2, OpCode.SASL, OpCode.GET_EPHEMERALS,
        OpCode.GET_ALL_CHILDREN_NUMBER, OpCode.ADD_WATCH, OpCode.WHO_AM_I, OpCode.PING};
    private static final String[] PATHS = {null, null, "", "/", "/a", "/a/b", "/a/b/c", "a", "/zookeeper", "/a\0"};
    private static final String[] SCHEMES = {null, null, "", "world", "auth", "digest", "ip", "sasl"};
    private static final String[] IDS = {null, null, "", "anyone", "alice:hash=", "127.0.0.1", "a:b", "nocolon"};

    private final List<Effect> effects = new ArrayList<>();
    private Random rnd;
    private Replica core;
    private long nextConnId;

    @Test
    void noNullFieldReachesTheRequestBoundary() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            runSeed(seed);
        }
    }

    private void runSeed(long seed) {
        rnd = new Random(seed);
        core = new Replica(new CoreConfig(100, 200, 2000, true, 1000, 100, null), 0x100, new byte[] {7}, 1_000_000);
        nextConnId = 1;
        long[] conns = {connect(), connect(), connect()};
        for (int step = 0; step < STEPS_PER_SEED; step++) {
            int slot = rnd.nextInt(conns.length);
            int opCode = OP_CODES[rnd.nextInt(OP_CODES.length)];
            byte[] body = body(opCode);
            JuteRecord record;
            try {
                record = Requests.decodeRequest(opCode, new JuteReader(body));
            } catch (WireException e) {
                continue; // the shell answers MARSHALLINGERROR and closes; the core never sees it
            }
            String what = "seed " + seed + " step " + step + ": op " + opCode + " " + record;
            List<Effect> out = step(new ClientRequest(conns[slot], step + 1, opCode, record), what);
            if (rnd.nextBoolean()) {
                out.addAll(step(new LogAppended(core.lastZxid()), what + " then durable"));
            }
            for (Effect e : out) {
                if (e instanceof CloseClient c) {
                    for (int i = 0; i < conns.length; i++) {
                        if (conns[i] == c.connId()) {
                            conns[i] = connect();
                        }
                    }
                }
            }
        }
    }

    private List<Effect> step(Event event, String what) {
        List<Effect> out = core.step(event);
        try {
            core.checkInvariants();
        } catch (IllegalStateException e) {
            fail(what + " broke an invariant", e);
        }
        for (Effect e : out) {
            if (e instanceof Trace t && t.message().contains("failed in the core")) {
                fail(what + " reached the request boundary: " + t.message());
            }
            if (e instanceof Reply r && r.err() == Code.SYSTEM_ERROR) {
                fail(what + " was answered SYSTEMERROR");
            }
        }
        return new ArrayList<>(out);
    }

    private long connect() {
        long connId = nextConnId++;
        step(new ClientConnected(connId, new ConnectRequest(0, 0, 1000, 0, null, false, true), "127.0.0.1"), "connect");
        List<Effect> out = step(new LogAppended(core.lastZxid()), "connect durable");
        assertEquals(1, out.stream().filter(e -> e instanceof ConnectReply).count(), "connected: " + out);
        return connId;
    }

    // ------------------------------------------------------------------ random bodies

    private byte[] body(int opCode) {
        JuteWriter w = new JuteWriter();
        switch (opCode) {
            case OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER -> create(w);
            case OpCode.CREATE_TTL -> create(w).writeLong(rnd.nextBoolean() ? 10_000 : rnd.nextLong());
            case OpCode.DELETE -> w.writeString(path()).writeInt(version());
            case OpCode.DELETE_CONTAINER -> w.writeBuffer(bytesOf(path()));
            case OpCode.EXISTS, OpCode.GET_DATA, OpCode.GET_CHILDREN, OpCode.GET_CHILDREN2 ->
                    w.writeString(path()).writeBool(rnd.nextBoolean());
            case OpCode.SET_DATA -> w.writeString(path()).writeBuffer(data()).writeInt(version());
            case OpCode.SET_ACL -> acls(w.writeString(path())).writeInt(version());
            case OpCode.GET_ACL, OpCode.SYNC, OpCode.GET_EPHEMERALS, OpCode.GET_ALL_CHILDREN_NUMBER ->
                    w.writeString(path());
            case OpCode.MULTI -> multi(w, new int[] {OpCode.CREATE, OpCode.DELETE, OpCode.SET_DATA, OpCode.CHECK});
            case OpCode.MULTI_READ -> multi(w, new int[] {OpCode.GET_DATA, OpCode.GET_CHILDREN});
            case OpCode.RECONFIG -> w.writeString(text()).writeString(text()).writeString(text()).writeLong(-1);
            case OpCode.CHECK_WATCHES, OpCode.REMOVE_WATCHES -> w.writeString(path()).writeInt(rnd.nextInt(7));
            case OpCode.ADD_WATCH -> w.writeString(path()).writeInt(rnd.nextInt(3));
            case OpCode.AUTH -> w.writeInt(0).writeString(pick(SCHEMES)).writeBuffer(bytesOf(pick(IDS)));
            case OpCode.SET_WATCHES -> paths(paths(paths(w.writeLong(rnd.nextInt(100)))));
            case OpCode.SET_WATCHES2 -> paths(paths(paths(paths(paths(w.writeLong(rnd.nextInt(100)))))));
            case OpCode.SASL -> w.writeBuffer(data());
            default -> { } // no body
        }
        return w.toByteArray();
    }

    private JuteWriter create(JuteWriter w) {
        return acls(w.writeString(path()).writeBuffer(data())).writeInt(rnd.nextInt(8));
    }

    private void multi(JuteWriter w, int[] types) {
        for (int n = rnd.nextInt(4); n > 0; n--) {
            int type = types[rnd.nextInt(types.length)];
            w.writeInt(type).writeBool(false).writeInt(-1);
            switch (type) {
                case OpCode.CREATE -> create(w);
                case OpCode.DELETE, OpCode.CHECK -> w.writeString(path()).writeInt(version());
                case OpCode.SET_DATA -> w.writeString(path()).writeBuffer(data()).writeInt(version());
                default -> w.writeString(path()).writeBool(rnd.nextBoolean());
            }
        }
        w.writeInt(-1).writeBool(true).writeInt(-1);
    }

    private JuteWriter acls(JuteWriter w) {
        int count = rnd.nextInt(5) - 1; // -1: a null list
        w.writeInt(count);
        for (int i = 0; i < count; i++) {
            w.writeInt(rnd.nextBoolean() ? 31 : rnd.nextInt(32)).writeString(pick(SCHEMES)).writeString(pick(IDS));
        }
        return w;
    }

    private JuteWriter paths(JuteWriter w) {
        int count = rnd.nextInt(4) - 1;
        w.writeInt(count);
        for (int i = 0; i < count; i++) {
            w.writeString(path());
        }
        return w;
    }

    private String path() {
        return pick(PATHS);
    }

    private String text() {
        return rnd.nextBoolean() ? null : "";
    }

    private byte[] data() {
        return switch (rnd.nextInt(3)) {
            case 0 -> null;
            case 1 -> new byte[0];
            default -> new byte[] {1, 2, 3};
        };
    }

    private int version() {
        return rnd.nextInt(3) - 1;
    }

    private <T> T pick(T[] values) {
        return values[rnd.nextInt(values.length)];
    }

    private static byte[] bytesOf(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }
}
