package io.paddock.core.zab;

import io.paddock.core.request.Txn;
import io.paddock.core.request.TxnEnvelope;
import io.paddock.core.wire.quorum.Ping;
import java.util.ArrayList;
import java.util.List;

/**
 * The host of a scripted role (ZabConversationTest): a history of zxids, each a createSession txn,
 * that carries out the role's history effects as Replica would, without a tree. Its log becomes
 * durable only when the script says so; a snapshot is a few bytes that only a leader sends.
 */
final class ScriptHost implements ZabHost {
    private final List<TxnEnvelope> history = new ArrayList<>();
    long base;
    long durable;
    long applied;
    long committed;

    /** A host whose history holds one transaction at {@code zxid} (none when 0), durable and applied. */
    ScriptHost(long zxid) {
        if (zxid != 0) {
            history.add(txn(zxid));
        }
        durable = zxid;
        applied = zxid;
        committed = zxid;
    }

    /** A host whose history holds a transaction at each of {@code zxids} (ascending), durable and applied. */
    ScriptHost(List<Long> zxids) {
        this(0);
        for (long z : zxids) {
            log(txn(z));
        }
        long last = lastLoggedZxid();
        durable = last;
        applied = last;
        committed = last;
    }

    static TxnEnvelope txn(long zxid) {
        return new TxnEnvelope(zxid, zxid, 0, 0,
                new Txn.CreateSession(zxid, 30_000, io.paddock.core.wire.quorum.ZabTxnCodec.zooKeeperPassword(zxid)));
    }

    void log(TxnEnvelope txn) {
        if (txn.zxid() <= lastLoggedZxid()) {
            throw new IllegalStateException("logged 0x" + Long.toHexString(txn.zxid()) + " after 0x"
                    + Long.toHexString(lastLoggedZxid()));
        }
        history.add(txn);
    }

    void carryOut(List<PeerEffect> effects) {
        for (PeerEffect e : effects) {
            if (e instanceof PeerEffect.LogTxn l) {
                log(l.txn());
            } else if (e instanceof PeerEffect.Commit c) {
                committed = Math.max(committed, c.zxid());
                applied = Math.max(applied, Math.min(committed, durable));
            } else if (e instanceof PeerEffect.Truncate t) {
                history.removeIf(h -> h.zxid() > t.zxid());
                durable = Math.min(durable, t.zxid());
            } else if (e instanceof PeerEffect.InstallSnapshot i) {
                history.clear();
                base = i.zxid();
                durable = applied = committed = i.zxid();
            }
        }
    }

    @Override
    public long lastLoggedZxid() {
        return history.isEmpty() ? base : history.get(history.size() - 1).zxid();
    }

    @Override
    public long durableZxid() {
        return durable;
    }

    @Override
    public long appliedZxid() {
        return applied;
    }

    @Override
    public long lastHeldAtOrBelow(long zxid) {
        if (zxid < base) {
            return -1;
        }
        long held = base;
        for (TxnEnvelope t : history) {
            if (t.zxid() > zxid) {
                break;
            }
            held = t.zxid();
        }
        return held;
    }

    @Override
    public List<TxnEnvelope> historyAfter(long zxid) {
        if (zxid == base) {
            return List.copyOf(history);
        }
        for (int i = 0; i < history.size(); i++) {
            if (history.get(i).zxid() == zxid) {
                return List.copyOf(history.subList(i + 1, history.size()));
            }
        }
        return null;
    }

    @Override
    public io.paddock.core.wire.quorum.SnapStream snapshot() {
        return io.paddock.core.wire.quorum.SnapStream.of(new byte[] {'s', 'n', 'a', 'p'});
    }

    @Override
    public List<Ping.SessionTouch> takeTouchedSessions() {
        return List.of();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("history=[");
        for (int i = 0; i < history.size(); i++) {
            b.append(i == 0 ? "" : " ").append("0x").append(Long.toHexString(history.get(i).zxid()));
        }
        return b.append("] durable=0x").append(Long.toHexString(durable)).append(" applied=0x")
                .append(Long.toHexString(applied)).toString();
    }
}
