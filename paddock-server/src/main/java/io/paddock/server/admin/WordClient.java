package io.paddock.server.admin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Asks a server one four-letter word, as {@code echo word | nc host port} does: connect, send the
 * four bytes, shut the sending side, read the answer until the server closes. Bounded: the connect
 * and every read time out, and an answer longer than {@link #ANSWER_BYTES_MAX} is refused.
 */
public final class WordClient {
    public static final int CONNECT_TIMEOUT_MS = 5_000;
    public static final int READ_TIMEOUT_MS = 10_000;
    /** Far above any word's answer (16 elections are a few KB); a longer one is not a Paddock answer. */
    public static final int ANSWER_BYTES_MAX = 1 << 20;

    private WordClient() {}

    /**
     * The whole answer to {@code word} from {@code host:port}.
     *
     * @throws IOException if the server cannot be reached, stops answering, or answers too much
     */
    public static String ask(String host, int port, FourLetterWord word) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
            socket.setSoTimeout(READ_TIMEOUT_MS);
            socket.getOutputStream().write(word.word().getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) >= 0; ) {
                if (answer.size() + n > ANSWER_BYTES_MAX) {
                    throw new IOException("answer longer than " + ANSWER_BYTES_MAX + " bytes");
                }
                answer.write(buf, 0, n);
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    /** ZooKeeper's refusal of a word outside the whitelist, which Paddock answers too. */
    public static boolean isRefusal(FourLetterWord word, String answer) {
        return answer.equals(word.word() + " is not executed because it is not in the whitelist.\n");
    }
}
