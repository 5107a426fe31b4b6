package io.paddock.core.wire;

/** A record with a Jute binary encoding. Each record also has a static {@code read(JuteReader)}. */
public interface JuteRecord {
    void write(JuteWriter out);

    default byte[] toBytes() {
        JuteWriter w = new JuteWriter();
        write(w);
        return w.toByteArray();
    }
}
