package io.paddock.core.wire.quorum;

import io.paddock.core.wire.JuteWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The first bytes of every election connection (ZooKeeper's {@code QuorumCnxManager}: the
 * connecting side sends them, the accepting side parses them with {@code InitialMessage.parse}).
 * The stream carries no frame length, so {@link #decode} reads incrementally.
 *
 * <pre>
 * V1 / V2:   long protocolVersion  (-65536 = V1, since 3.5.0; -65535 = V2, multi-address, 3.6.0)
 *            long sid
 *            int  addressLength    (1 .. {@value #ADDRESS_BYTES_MAX}, as ZooKeeper's maxBuffer)
 *            byte address[addressLength]   UTF-8 "host:port", V2: "host1:port1|host2:port2|..."
 * SID_ONLY:  long sid              (>= 0: the form before 3.5.0; nothing follows)
 * </pre>
 *
 * <p>ZooKeeper 3.9 sends V1 (one address) unless multi-address is enabled, then V2; a first long
 * that is negative and neither version is refused (ZooKeeper closes the connection).
 * {@code sid == Long.MAX_VALUE} is ZooKeeper's observer id (the receiver then makes up an id);
 * that is the shell's business, as is a wildcard host (ZooKeeper drops 0.0.0.0 and :: from the
 * list, which needs name resolution, so this pure decoder keeps them).
 *
 * @param addresses the sender's election addresses; empty exactly for {@link Form#SID_ONLY},
 *     never null
 */
public record InitialMessage(Form form, long sid, List<ElectionAddress> addresses) {
    public static final long PROTOCOL_VERSION_V1 = -65536L;
    public static final long PROTOCOL_VERSION_V2 = -65535L;
    /** The longest address string accepted (ZooKeeper's {@code QuorumCnxManager.maxBuffer}). */
    public static final int ADDRESS_BYTES_MAX = 2048;

    /** Which of the message's forms. */
    public enum Form {
        /** The sid alone (ZooKeeper before 3.5.0, and what 3.9 still accepts). */
        SID_ONLY,
        /** Version -65536: sid and one election address. */
        V1,
        /** Version -65535: sid and one or more election addresses joined by '|'. */
        V2
    }

    public InitialMessage {
        Objects.requireNonNull(form, "form");
        addresses = List.copyOf(addresses);
        if (form == Form.SID_ONLY ? !addresses.isEmpty() || sid < 0 : addresses.isEmpty()) {
            throw new IllegalArgumentException(form + " with sid " + sid + " and addresses " + addresses);
        }
    }

    public static InitialMessage v1(long sid, ElectionAddress address) {
        return new InitialMessage(Form.V1, sid, List.of(address));
    }

    public static InitialMessage sidOnly(long sid) {
        return new InitialMessage(Form.SID_ONLY, sid, List.of());
    }

    /** The bytes a ZooKeeper server of the same form sends. */
    public byte[] encode() {
        if (form == Form.SID_ONLY) {
            return new JuteWriter(8).writeLong(sid).toByteArray();
        }
        byte[] address = addressString().getBytes(StandardCharsets.UTF_8);
        if (address.length > ADDRESS_BYTES_MAX) {
            throw new IllegalArgumentException("address of " + address.length + " bytes is over " + ADDRESS_BYTES_MAX);
        }
        return new JuteWriter(20 + address.length)
                .writeLong(form == Form.V1 ? PROTOCOL_VERSION_V1 : PROTOCOL_VERSION_V2)
                .writeLong(sid)
                .writeInt(address.length)
                .writeRaw(address, 0, address.length)
                .toByteArray();
    }

    private String addressString() {
        StringBuilder out = new StringBuilder();
        for (ElectionAddress a : addresses) {
            out.append(out.length() == 0 ? "" : "|").append(a.format());
        }
        return out.toString();
    }

    /**
     * Reads the initial message from the start of what a new election connection has sent so far.
     *
     * @return the message and the bytes it took, or how many bytes it needs at least
     * @throws PeerProtocolException for an unknown protocol version, an address length outside
     *     1..{@value #ADDRESS_BYTES_MAX}, or an address that is not host:port (every one of which
     *     ZooKeeper refuses too)
     */
    public static DecodeResult<InitialMessage> decode(byte[] bytes, int offset, int length)
            throws PeerProtocolException {
        return PeerInput.attempt(bytes, offset, length, InitialMessage::read);
    }

    private static InitialMessage read(PeerInput in) throws PeerProtocolException {
        long first = in.readLong("protocol version or sid");
        if (first >= 0) {
            return sidOnly(first);
        }
        Form form;
        if (first == PROTOCOL_VERSION_V1) {
            form = Form.V1;
        } else if (first == PROTOCOL_VERSION_V2) {
            form = Form.V2;
        } else {
            throw new PeerProtocolException("unknown election protocol version " + first
                    + " (ZooKeeper 3.9 knows " + PROTOCOL_VERSION_V1 + " and " + PROTOCOL_VERSION_V2 + ")");
        }
        long sid = in.readLong("sid");
        int addressLength = in.readLength("election address", ADDRESS_BYTES_MAX, false);
        if (addressLength == 0) {
            throw new PeerProtocolException("empty election address from sid " + sid);
        }
        String address = new String(in.readBytes(addressLength, "election address"), StandardCharsets.UTF_8);
        return new InitialMessage(form, sid, parseAddresses(address));
    }

    private static List<ElectionAddress> parseAddresses(String joined) throws PeerProtocolException {
        List<ElectionAddress> out = new ArrayList<>();
        int from = 0;
        while (true) {
            int bar = joined.indexOf('|', from);
            out.add(ElectionAddress.parse(bar < 0 ? joined.substring(from) : joined.substring(from, bar)));
            if (bar < 0) {
                return out;
            }
            from = bar + 1;
        }
    }
}
