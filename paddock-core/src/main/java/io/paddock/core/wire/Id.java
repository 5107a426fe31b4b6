package io.paddock.core.wire;

import java.util.Objects;

/** An identity in an ACL scheme (jute {@code org.apache.zookeeper.data.Id}), e.g. world:anyone. */
public record Id(String scheme, String id) implements JuteRecord {
    public static final Id ANYONE = new Id("world", "anyone");

    /** Schemes decoded without allocating (nearly every request carries one of these). */
    private static final String[] COMMON_SCHEMES = {"world", "digest", "ip", "auth", "sasl", "x509", "super"};
    private static final String[] COMMON_IDS = {"anyone"};

    @Override
    public void write(JuteWriter out) {
        out.writeString(scheme).writeString(id);
    }

    // Written out rather than the record's generated ones: those go through method handles,
    // which are slow until the JIT has compiled them, and ACLs are compared for every node a
    // restart loads.
    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof Id other && Objects.equals(scheme, other.scheme) && Objects.equals(id, other.id);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(scheme) * 31 + Objects.hashCode(id);
    }

    /** Decodes an Id; world:anyone comes back as the shared {@link #ANYONE}. */
    public static Id read(JuteReader in) {
        String scheme = in.readString(COMMON_SCHEMES);
        String id = in.readString(COMMON_IDS);
        if (ANYONE.scheme.equals(scheme) && ANYONE.id.equals(id)) {
            return ANYONE;
        }
        return new Id(scheme, id);
    }
}
