package io.paddock.core.wire;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Proves the primitive codec rejects hostile lengths instead of allocating them. */
class JuteReaderTest {
    @Test
    void roundTripsPrimitives() {
        byte[] b = new JuteWriter().writeInt(-7).writeLong(1L << 40).writeBool(true)
                .writeString("héllo").writeBuffer(null).writeString(null).toByteArray();
        JuteReader r = new JuteReader(b);
        assertEquals(-7, r.readInt());
        assertEquals(1L << 40, r.readLong());
        assertTrue(r.readBool());
        assertEquals("héllo", r.readString());
        assertNull(r.readBuffer());
        assertNull(r.readString());
        assertFalse(r.hasRemaining());
    }

    @Test
    void refusesLengthsLargerThanTheFrame() {
        byte[] b = new JuteWriter().writeInt(Integer.MAX_VALUE).toByteArray();
        assertThrows(WireException.class, () -> new JuteReader(b).readBuffer());
        assertThrows(WireException.class, () -> new JuteReader(b).readStringVector());
        byte[] neg = new JuteWriter().writeInt(-2).toByteArray();
        assertThrows(WireException.class, () -> new JuteReader(neg).readString());
    }
}
