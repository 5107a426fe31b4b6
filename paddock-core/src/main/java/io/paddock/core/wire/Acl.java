package io.paddock.core.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** One ACL entry (jute {@code org.apache.zookeeper.data.ACL}): permission bits for an identity. */
public record Acl(int perms, Id id) implements JuteRecord {
    public static final int READ = 1;
    public static final int WRITE = 2;
    public static final int CREATE = 4;
    public static final int DELETE = 8;
    public static final int ADMIN = 16;
    public static final int ALL = READ | WRITE | CREATE | DELETE | ADMIN;

    /** ZooKeeper's OPEN_ACL_UNSAFE: everything for world:anyone. */
    public static final List<Acl> OPEN = List.of(new Acl(ALL, Id.ANYONE));
    /** ZooKeeper's READ_ACL_UNSAFE. */
    public static final List<Acl> READ_ONLY = List.of(new Acl(READ, Id.ANYONE));

    @Override
    public void write(JuteWriter out) {
        out.writeInt(perms);
        id.write(out);
    }

    // Written out rather than generated: see Id#equals.
    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof Acl other && perms == other.perms && Objects.equals(id, other.id);
    }

    @Override
    public int hashCode() {
        return perms * 31 + Objects.hashCode(id);
    }

    /** Decodes an entry; the entries of {@link #OPEN} and {@link #READ_ONLY} come back shared. */
    public static Acl read(JuteReader in) {
        int perms = in.readInt();
        Id id = Id.read(in);
        if (id == Id.ANYONE) {
            if (perms == ALL) {
                return OPEN.get(0);
            }
            if (perms == READ) {
                return READ_ONLY.get(0);
            }
        }
        return new Acl(perms, id);
    }

    public static void writeList(JuteWriter out, List<Acl> acls) {
        out.writeVector(acls, (w, a) -> a.write(w));
    }

    /**
     * Decodes a list; one equal to {@link #OPEN} or {@link #READ_ONLY} (what nearly every
     * client sends) comes back as that shared, immutable list, without allocating.
     */
    public static List<Acl> readList(JuteReader in) {
        int count = in.readVectorCount();
        if (count == -1) {
            return null;
        }
        Acl first = count == 0 ? null : read(in);
        if (count == 1 && first == OPEN.get(0)) {
            return OPEN;
        }
        if (count == 1 && first == READ_ONLY.get(0)) {
            return READ_ONLY;
        }
        List<Acl> acls = new ArrayList<>(count);
        if (first != null) {
            acls.add(first);
        }
        for (int i = 1; i < count; i++) {
            acls.add(read(in));
        }
        return acls;
    }
}
