package io.paddock.server.admin;

import io.paddock.server.ServerConfig;

/**
 * Answers ZooKeeper's four-letter words with ZooKeeper's own texts, so that {@code echo ruok |
 * nc host 2181}, zkServer.sh status, monitoring exporters and kazoo keep working.
 *
 * <p>The transport reads the first four bytes of a new connection; if {@link
 * #isFourLetterWord(int)} holds (and no ConnectRequest was read yet) it writes {@link
 * #answer(int)} as UTF-8 and closes the connection. A word outside the configured whitelist gets
 * ZooKeeper's refusal line; {@code srvr} is always allowed, as in ZooKeeper. Paddock's own {@code
 * elec} (the election history) is off by default like every word but {@code srvr}: whitelist it by
 * name or with {@code *}.
 */
public final class FourLetterWords {
    /** ZooKeeper's answer of most words while the server cannot serve. */
    public static final String NOT_SERVING = "This ZooKeeper instance is not currently serving requests";

    /** ZooKeeper's default trace mask (client requests, server packets, sessions, warnings). */
    static final long DEFAULT_TRACE_MASK = (1L << 1) | (1L << 4) | (1L << 5) | (1L << 8);

    private final ServerConfig config;
    private final AdminView view;

    public FourLetterWords(ServerConfig config, AdminView view) {
        this.config = config;
        this.view = view;
    }

    /** True if the first four bytes of a connection spell a four-letter word (or telnet's close). */
    public static boolean isFourLetterWord(int firstFourBytesAsInt) {
        return FourLetterWord.fromCode(firstFourBytesAsInt) != null
            || firstFourBytesAsInt == FourLetterWord.TELNET_CLOSE_CODE;
    }

    /**
     * The full answer to the word whose bytes are {@code firstFourBytesAsInt}; empty for telnet's
     * close sequence (close without a word).
     *
     * @throws IllegalArgumentException if {@link #isFourLetterWord(int)} does not hold
     */
    public String answer(int firstFourBytesAsInt) {
        if (firstFourBytesAsInt == FourLetterWord.TELNET_CLOSE_CODE) {
            return "";
        }
        FourLetterWord word = FourLetterWord.fromCode(firstFourBytesAsInt);
        if (word == null) {
            throw new IllegalArgumentException("not a four-letter word: 0x" + Integer.toHexString(firstFourBytesAsInt));
        }
        return answer(word);
    }

    /** The full answer to {@code word}, or ZooKeeper's refusal if it is not whitelisted. */
    public String answer(FourLetterWord word) {
        if (!config.isFourLetterWordAllowed(word.word())) {
            return word.word() + " is not executed because it is not in the whitelist.\n";
        }
        if (word == FourLetterWord.RUOK) {
            return "imok"; // answered even when not serving, without a newline, as ZooKeeper does
        }
        if (word == FourLetterWord.ENVI) {
            return WordTexts.envi();
        }
        if (word == FourLetterWord.ELEC) {
            return view.electionHistory(); // most useful while there is no leader: answered when not serving too
        }
        if (word == FourLetterWord.GTMK || word == FourLetterWord.STMK) {
            // Paddock has no trace mask; report ZooKeeper's default (stmk changes nothing).
            return Long.toString(DEFAULT_TRACE_MASK);
        }
        if (!view.isServing()) {
            return notServing(word);
        }
        return answerServing(word);
    }

    private static String notServing(FourLetterWord word) {
        switch (word) {
            case ISRO: return "null";
            case HASH: return NOT_SERVING;
            default: return NOT_SERVING + "\n";
        }
    }

    private String answerServing(FourLetterWord word) {
        switch (word) {
            case SRVR: return WordTexts.stat(view, false);
            case STAT: return WordTexts.stat(view, true);
            case CONS: return WordTexts.cons(view);
            case CONF: return WordTexts.conf(config, view);
            case MNTR: return WordTexts.mntr(view);
            case WCHS: return WordTexts.watchSummary(view);
            case WCHC: return WordTexts.watchesBySession(view);
            case WCHP: return WordTexts.watchesByPath(view);
            case DUMP: return WordTexts.dump(view);
            case DIRS: return WordTexts.dirs(view);
            case HASH: return WordTexts.hash(view);
            case ISRO: return "rw"; // Paddock has no read-only mode
            case SRST:
                view.resetServerStats();
                return "Server stats reset.\n";
            case CRST:
                view.resetConnectionStats();
                return "Connection stats reset.\n";
            default:
                throw new IllegalStateException("four-letter word without an answer: " + word);
        }
    }
}
