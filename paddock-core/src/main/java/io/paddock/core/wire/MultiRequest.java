package io.paddock.core.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The body of multi and multiRead: each op as a MultiHeader (type, done=false, err=-1) and its
 * request, then {@link MultiHeader#END}. As in ZooKeeper, one multi holds either only write
 * ops (a transaction) or only read ops; mixing them is refused.
 */
public record MultiRequest(List<MultiOp> ops) implements JuteRecord {
    public MultiRequest {
        Objects.requireNonNull(ops, "ops");
        if (mixesReadsAndWrites(ops)) {
            throw new IllegalArgumentException("a multi cannot mix read and write ops: " + ops);
        }
    }

    /** True when the ops are reads (a multiRead); false for a transaction or an empty multi. */
    public boolean isRead() {
        return !ops.isEmpty() && ops.get(0).isRead();
    }

    @Override
    public void write(JuteWriter out) {
        for (MultiOp op : ops) {
            op.write(out);
        }
        MultiHeader.END.write(out);
    }

    /** Reads ops until a header with done set; each header takes 9 bytes, so this ends. */
    public static MultiRequest read(JuteReader in) {
        List<MultiOp> ops = new ArrayList<>();
        MultiHeader header = MultiHeader.read(in);
        while (!header.done()) {
            ops.add(MultiOp.readBody(header.type(), in));
            header = MultiHeader.read(in);
        }
        if (mixesReadsAndWrites(ops)) {
            throw new WireException("a multi mixes read and write ops");
        }
        return new MultiRequest(ops);
    }

    private static boolean mixesReadsAndWrites(List<MultiOp> ops) {
        long reads = ops.stream().filter(MultiOp::isRead).count();
        return reads != 0 && reads != ops.size();
    }
}
