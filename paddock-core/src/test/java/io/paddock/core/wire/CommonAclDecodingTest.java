package io.paddock.core.wire;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves the decoding shortcuts for what nearly every request carries: world:anyone, the OPEN
 * and READ_ONLY ACLs and the common scheme names come back as shared instances (no allocation
 * per request), while every other value decodes exactly as before and lengths are still
 * checked against the frame.
 */
class CommonAclDecodingTest {
    private static JuteReader readerOf(JuteRecord r) {
        return new JuteReader(new JuteWriter().write(r).toByteArray());
    }

    private static List<Acl> roundTrip(List<Acl> acls) {
        JuteWriter w = new JuteWriter();
        Acl.writeList(w, acls);
        JuteReader in = new JuteReader(w.toByteArray());
        List<Acl> decoded = Acl.readList(in);
        assertFalse(in.hasRemaining());
        return decoded;
    }

    @Test
    void theOpenAndReadOnlyListsComeBackShared() {
        assertSame(Acl.OPEN, roundTrip(List.of(new Acl(Acl.ALL, new Id("world", "anyone")))));
        assertSame(Acl.READ_ONLY, roundTrip(List.of(new Acl(Acl.READ, new Id("world", "anyone")))));
        assertSame(Id.ANYONE, Id.read(readerOf(new Id("world", "anyone"))));
    }

    @Test
    void otherListsDecodeToEqualFreshLists() {
        List<List<Acl>> samples = new ArrayList<>();
        samples.add(null);
        samples.add(List.of());
        samples.add(List.of(new Acl(Acl.WRITE, Id.ANYONE)));
        samples.add(List.of(new Acl(Acl.ALL, Id.ANYONE), new Acl(Acl.ALL, Id.ANYONE)));
        samples.add(List.of(new Acl(Acl.ALL, new Id("world", "anyonf"))));
        samples.add(List.of(new Acl(Acl.ALL, new Id("worlds", "anyone"))));
        samples.add(List.of(new Acl(Acl.ALL, new Id("digest", "bob:x8Hq4oBQRQ8Mh0CyJr2xPqWJ4CU=")),
                new Acl(Acl.READ, new Id("ip", "10.0.0.0/8")), new Acl(0, new Id(null, null))));
        samples.add(List.of(new Acl(Acl.ALL, new Id("wörld", "anyone"))));
        for (List<Acl> acls : samples) {
            List<Acl> decoded = roundTrip(acls);
            assertEquals(acls, decoded);
            if (acls != null) {
                assertNotSame(Acl.OPEN, decoded);
            }
        }
    }

    @Test
    void knownStringsAreReturnedAsTheGivenInstances() {
        String[] known = {"world", "digest", "ip"};
        byte[] bytes = new JuteWriter().writeString("digest").writeString("ipv6").writeString(null)
                .writeString("").writeString("wörld").toByteArray();
        JuteReader in = new JuteReader(bytes);
        assertSame(known[1], in.readString(known));
        assertEquals("ipv6", in.readString(known));
        assertNull(in.readString(known));
        assertEquals("", in.readString(known));
        assertEquals("wörld", in.readString(new String[] {"wörld"}), "non-ASCII known strings decode normally");
        assertFalse(in.hasRemaining());
    }

    @Test
    void knownStringsStillCheckLengths() {
        byte[] truncated = new JuteWriter().writeInt(5).writeRaw("wor".getBytes(), 0, 3).toByteArray();
        assertThrows(WireException.class, () -> new JuteReader(truncated).readString(new String[] {"world"}));
        byte[] negative = new JuteWriter().writeInt(-2).toByteArray();
        assertThrows(WireException.class, () -> new JuteReader(negative).readString(new String[] {"world"}));
        byte[] badCount = new JuteWriter().writeInt(1000).toByteArray();
        assertThrows(WireException.class, () -> Acl.readList(new JuteReader(badCount)));
    }
}
