package io.paddock.core.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The body of the reply to multi and multiRead: each {@link MultiResult}, then
 * {@link MultiHeader#END}. A failed transaction still has reply err 0 and one error result per
 * op; a failed read in a multiRead is an error result among ordinary ones.
 */
public record MultiResponse(List<MultiResult> results) implements JuteRecord {
    public MultiResponse {
        Objects.requireNonNull(results, "results");
    }

    @Override
    public void write(JuteWriter out) {
        for (MultiResult result : results) {
            result.write(out);
        }
        MultiHeader.END.write(out);
    }

    /** Reads results until a header with done set; each header takes 9 bytes, so this ends. */
    public static MultiResponse read(JuteReader in) {
        List<MultiResult> results = new ArrayList<>();
        MultiHeader header = MultiHeader.read(in);
        while (!header.done()) {
            results.add(MultiResult.readBody(header, in));
            header = MultiHeader.read(in);
        }
        return new MultiResponse(results);
    }
}
