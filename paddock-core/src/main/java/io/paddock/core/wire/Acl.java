package io.paddock.core.wire;

import java.util.List;

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

    public static Acl read(JuteReader in) {
        return new Acl(in.readInt(), Id.read(in));
    }

    public static void writeList(JuteWriter out, List<Acl> acls) {
        out.writeVector(acls, (w, a) -> a.write(w));
    }

    public static List<Acl> readList(JuteReader in) {
        return in.readVector(Acl::read);
    }
}
