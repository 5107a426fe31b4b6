package io.paddock.core.storage;

import io.paddock.core.wire.Acl;
import io.paddock.core.wire.Id;
import io.paddock.core.wire.JuteReader;
import java.util.List;

/**
 * Reads an ACL list as our log and snapshot formats store it (a vector of perms and an Id whose
 * strings are {@link ExactStrings}). The lists nearly every node has, {@link Acl#OPEN} and
 * {@link Acl#READ_ONLY}, come back as those shared instances, so a recovering tree finds them
 * by identity instead of comparing entries node after node.
 */
final class StoredAcls {
    private StoredAcls() {}

    /** The list, or null for a null vector (each format decides whether that is damage). */
    static List<Acl> read(JuteReader in) {
        List<Acl> acl = in.readVector(r -> new Acl(r.readInt(), new Id(ExactStrings.read(r), ExactStrings.read(r))));
        if (acl != null && acl.size() == 1) {
            Acl only = acl.get(0);
            if (only.equals(Acl.OPEN.get(0))) {
                return Acl.OPEN;
            }
            if (only.equals(Acl.READ_ONLY.get(0))) {
                return Acl.READ_ONLY;
            }
        }
        return acl;
    }
}
