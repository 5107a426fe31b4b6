package io.paddock.server.admin;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The four-letter words ZooKeeper 3.9 knows, and Paddock's own ({@link #isPaddocksOwn()}: {@code
 * elec}, the election history), spelled so that ZooKeeper knows no word of that name. A client sends
 * one as the first four bytes of a connection, where a normal client sends the big-endian length of
 * its ConnectRequest.
 *
 * <p>ZooKeeper tells the two apart by looking the first four bytes up in its table of known
 * words before it checks the length, and only while the connection has not yet sent a
 * ConnectRequest. Every word is lower-case ASCII, so as a length it reads as more than 1.6e9
 * bytes: far above any sane {@code jute.maxbuffer}, so a real frame never collides with a word.
 * The match is exact (case-sensitive): "RUOK" is not a word, it is a bad length.
 */
public enum FourLetterWord {
    CONF("conf"),
    CONS("cons"),
    CRST("crst"),
    DIRS("dirs"),
    DUMP("dump"),
    ENVI("envi"),
    GTMK("gtmk"),
    RUOK("ruok"),
    STMK("stmk"),
    SRST("srst"),
    SRVR("srvr"),
    STAT("stat"),
    WCHC("wchc"),
    WCHP("wchp"),
    WCHS("wchs"),
    MNTR("mntr"),
    ISRO("isro"),
    HASH("hash"),
    /** Paddock's own: this server's last elections as a table ({@link AdminView#electionHistory()}). */
    ELEC("elec", true);

    /**
     * The bytes telnet sends when it closes (IAC DO TIMING-MARK...). ZooKeeper lists it among
     * its commands only so it can close such a connection quietly; so do we.
     */
    public static final int TELNET_CLOSE_CODE = 0xfff4fffd;

    private static final Map<Integer, FourLetterWord> BY_CODE = new HashMap<>();
    private static final Map<String, FourLetterWord> BY_WORD = new HashMap<>();

    static {
        for (FourLetterWord w : values()) {
            BY_CODE.put(w.code, w);
            BY_WORD.put(w.word, w);
        }
    }

    private final String word;
    private final int code;
    private final boolean paddocksOwn;

    FourLetterWord(String word) {
        this(word, false);
    }

    FourLetterWord(String word, boolean paddocksOwn) {
        this.word = word;
        this.paddocksOwn = paddocksOwn;
        byte[] b = word.getBytes(StandardCharsets.US_ASCII);
        this.code = ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    /** The word as sent on the wire, e.g. {@code "ruok"}. */
    public String word() {
        return word;
    }

    /** True for a word of Paddock's own, which ZooKeeper does not know (it reads it as a bad length). */
    public boolean isPaddocksOwn() {
        return paddocksOwn;
    }

    /** The first four bytes of the connection read as a big-endian int. */
    public int code() {
        return code;
    }

    /** The word whose bytes are {@code firstFourBytesAsInt}, or null. */
    public static FourLetterWord fromCode(int firstFourBytesAsInt) {
        return BY_CODE.get(firstFourBytesAsInt);
    }

    /** The word spelled {@code word} (case-sensitive), or null. */
    public static FourLetterWord fromWord(String word) {
        return BY_WORD.get(word);
    }
}
