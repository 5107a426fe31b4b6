package io.paddock.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.apache.zookeeper.server.command.FourLetterCommands;
import org.junit.jupiter.api.Test;

/**
 * Proves, against ZooKeeper 3.9.5's FourLetterCommands as the oracle, that we recognise exactly
 * the same first-four-byte values as four-letter words (so the transport treats the same
 * connections as 4lw), plus Paddock's own words, which ZooKeeper does not know (no clash), and
 * nothing that a real frame length could be.
 */
class FourLetterWordTest {

    private static int codeOf(String word) {
        return ByteBuffer.wrap(word.getBytes(StandardCharsets.US_ASCII)).getInt();
    }

    @Test
    void everyZooKeeperCommandCodeIsAWordHereAndViceVersa() throws Exception {
        Set<Integer> zkCodes = new HashSet<>();
        for (Field f : FourLetterCommands.class.getDeclaredFields()) {
            if (f.getType() == int.class && Modifier.isStatic(f.getModifiers())) {
                f.setAccessible(true);
                zkCodes.add(f.getInt(null));
            }
        }
        for (int code : zkCodes) {
            assertTrue(FourLetterWords.isFourLetterWord(code), "ZooKeeper knows 0x" + Integer.toHexString(code));
        }
        int paddocksOwn = 0;
        for (FourLetterWord w : FourLetterWord.values()) {
            if (w.isPaddocksOwn()) {
                paddocksOwn++;
                continue;
            }
            assertTrue(FourLetterCommands.isKnown(w.code()), w.word());
            assertEquals(w.word(), FourLetterCommands.getCommandString(w.code()));
            assertTrue(zkCodes.contains(w.code()), w.word());
        }
        assertEquals(zkCodes.size(), FourLetterWord.values().length - paddocksOwn + 1); // + telnet close
    }

    @Test
    void paddocksOwnWordsAreUnknownToZooKeeper() {
        assertTrue(FourLetterWord.ELEC.isPaddocksOwn());
        for (FourLetterWord w : FourLetterWord.values()) {
            if (w.isPaddocksOwn()) {
                assertFalse(FourLetterCommands.isKnown(w.code()), w.word() + " clashes with a ZooKeeper word");
            }
        }
    }

    @Test
    void codesAreTheBigEndianBytes() {
        assertEquals(codeOf("ruok"), FourLetterWord.RUOK.code());
        assertEquals(FourLetterWord.MNTR, FourLetterWord.fromCode(codeOf("mntr")));
        assertEquals(FourLetterWord.SRVR, FourLetterWord.fromWord("srvr"));
    }

    @Test
    void framesAndOtherSpellingsAreNotWords() {
        assertFalse(FourLetterWords.isFourLetterWord(45)); // a ConnectRequest's length
        assertFalse(FourLetterWords.isFourLetterWord(0xfffff));
        assertFalse(FourLetterWords.isFourLetterWord(-1));
        assertFalse(FourLetterWords.isFourLetterWord(codeOf("RUOK")));
        assertFalse(FourLetterWords.isFourLetterWord(codeOf("ruoK")));
        assertFalse(FourLetterWords.isFourLetterWord(codeOf("kill")));
        assertTrue(FourLetterWords.isFourLetterWord(0xfff4fffd));
        for (FourLetterWord w : FourLetterWord.values()) {
            assertTrue(w.code() > 0xfffff * 1000, w.word() + " must be far above any sane jute.maxbuffer");
        }
        assertNotNull(FourLetterWord.fromCode(codeOf("isro")));
    }
}
