package io.paddock.core;

import io.paddock.core.Event.ClientConnected;
import io.paddock.core.Event.ClientRequest;
import io.paddock.core.wire.JuteWriter;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The client events an ensemble member holds while it has no leader, oldest first, with what
 * they weigh: each is counted at its encoded size, so that the bound on what is held
 * ({@link Replica#HELD_BYTES_MAX}) holds in bytes as well as in events.
 */
final class HeldEvents implements Iterable<Event> {
    /** A handshake's fixed fields (protocol version, zxid, timeout, session id, flags) and a little more. */
    private static final int HANDSHAKE_BYTES = 64;
    /** A request header (xid, type) and the record that carries it. */
    private static final int REQUEST_OVERHEAD_BYTES = 32;
    /** What a body that cannot be encoded is taken to weigh: a large request's worth. */
    private static final int UNWEIGHABLE_BYTES = 4096;

    private record Entry(Event event, int bytes) {}

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long bytes;

    /** What holding {@code e} costs: its encoded size, about. */
    static int weigh(Event e) {
        if (e instanceof ClientConnected c) {
            return HANDSHAKE_BYTES + (c.request().passwd() == null ? 0 : c.request().passwd().length);
        }
        if (e instanceof ClientRequest r && r.body() != null) {
            JuteWriter w = new JuteWriter(64);
            try {
                r.body().write(w);
            } catch (RuntimeException notEncodable) {
                // A body the core made that has no bytes of its own: weighing must not end the server.
                return REQUEST_OVERHEAD_BYTES + UNWEIGHABLE_BYTES;
            }
            return REQUEST_OVERHEAD_BYTES + w.size();
        }
        return REQUEST_OVERHEAD_BYTES;
    }

    void add(Event e) {
        add(e, weigh(e));
    }

    void add(Event e, int weight) {
        entries.addLast(new Entry(e, weight));
        bytes += weight;
    }

    Event poll() {
        Entry first = entries.pollFirst();
        if (first == null) {
            return null;
        }
        bytes -= first.bytes();
        return first.event();
    }

    void removeIf(Predicate<Event> which) {
        entries.removeIf(entry -> {
            if (which.test(entry.event())) {
                bytes -= entry.bytes();
                return true;
            }
            return false;
        });
    }

    void clear() {
        entries.clear();
        bytes = 0;
    }

    int size() {
        return entries.size();
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    long bytes() {
        return bytes;
    }

    Stream<Event> stream() {
        return entries.stream().map(Entry::event);
    }

    @Override
    public Iterator<Event> iterator() {
        return stream().iterator();
    }
}
