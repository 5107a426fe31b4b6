package io.paddock.core.storage;

import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.Code;
import io.paddock.core.wire.Id;
import io.paddock.core.wire.OpCode;
import java.util.ArrayList;
import java.util.List;

/** Test helper: transactions that cover every variant and the awkward values of each field. */
public final class StorageSamples {
    private StorageSamples() {}

    static final List<String> PATHS = List.of("/", "/a", "/app/lock-0000000042", "/ünïcødé/日本語/ключ",
            "/emoji/😀", "/lone\ud800surrogate", "/nul\u0000inside", "/line\nbreak");

    static final List<Acl> MIXED_ACL = List.of(new Acl(Acl.READ | Acl.ADMIN, new Id("digest", "bob:x8Hq4oBQ=")),
            new Acl(Acl.ALL, new Id("ip", "10.0.0.0/8")), new Acl(0, new Id("", "")));

    public static List<Txn> everyVariant() {
        List<Txn> txns = new ArrayList<>();
        txns.add(new Txn.CreateSession(0x1000000abcL, 30_000, new byte[16]));
        txns.add(new Txn.CreateSession(-1L, 0, null));
        txns.add(new Txn.CreateSession(1, Integer.MAX_VALUE, new byte[0]));
        txns.add(new Txn.CloseSession(Long.MIN_VALUE));
        txns.add(new Txn.CloseSession(0x55L, PATHS)); // with the paths its leader deleted (log version 2)
        txns.add(new Txn.CloseSession(7, List.of()));
        for (String path : PATHS) {
            txns.add(new Txn.Create(path, path.getBytes(java.nio.charset.StandardCharsets.UTF_8), Acl.OPEN,
                    NodeKind.PERSISTENT, 0, 0, 3, false));
            txns.add(new Txn.Delete(path));
            txns.add(new Txn.SetData(path, new byte[0], 7));
            txns.add(new Txn.SetAcl(path, MIXED_ACL, -1));
            txns.add(new Txn.Check(path, Integer.MIN_VALUE));
        }
        txns.add(new Txn.Create("/e", null, List.of(), NodeKind.EPHEMERAL, 0x55L, 0, -1, true));
        txns.add(new Txn.Create("/c", allByteValues(), Acl.READ_ONLY, NodeKind.CONTAINER, 0, 0, 0, false));
        txns.add(new Txn.Create("/t", new byte[1000], MIXED_ACL, NodeKind.TTL, 0, NodeKind.TTL_MS_MAX,
                Integer.MAX_VALUE, true));
        txns.add(new Txn.SetData("/n", null, 0));
        txns.add(new Txn.Multi(List.of()));
        txns.add(new Txn.Multi(List.of(txns.get(0), new Txn.Delete("/x"), new Txn.Check("/y", 2),
                new Txn.Multi(List.of(new Txn.SetData("/z", new byte[] {1}, 1), new Txn.Multi(List.of()))))));
        txns.add(new Txn.MultiError(List.of(0, Code.NO_NODE, Code.RUNTIME_INCONSISTENCY),
                List.of(OpCode.CREATE, OpCode.DELETE, OpCode.SET_DATA)));
        txns.add(new Txn.MultiError(List.of(), List.of()));
        txns.add(new Txn.Error(Code.NODE_EXISTS));
        return txns;
    }

    static TxnEnvelope envelope(long zxid, Txn txn) {
        return new TxnEnvelope(zxid, 0x1234, (int) zxid, 1_700_000_000_000L + zxid, txn);
    }

    /** Envelopes with consecutive zxids from base, cycling through every variant. */
    public static List<TxnEnvelope> history(long baseZxid, int count) {
        List<Txn> variants = everyVariant();
        List<TxnEnvelope> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(envelope(baseZxid + i, variants.get(i % variants.size())));
        }
        return out;
    }

    static byte[] allByteValues() {
        byte[] b = new byte[256];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        byte[] out = new byte[length];
        int pos = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, pos, p.length);
            pos += p.length;
        }
        return out;
    }

    static String hex(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            out.append(String.format("%02x", b & 0xff));
        }
        return out.toString();
    }
}
