package io.paddock.server;

import io.paddock.core.wire.Acl;
import io.paddock.core.wire.ConnectRequest;
import io.paddock.core.wire.CreateRequest;
import io.paddock.core.wire.DeleteRequest;
import io.paddock.core.wire.ExistsRequest;
import io.paddock.core.wire.GetChildrenRequest;
import io.paddock.core.wire.GetDataRequest;
import io.paddock.core.wire.JuteRecord;
import io.paddock.core.wire.JuteWriter;
import io.paddock.core.wire.OpCode;
import io.paddock.core.wire.RequestHeader;
import io.paddock.core.wire.SetDataRequest;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The training run behind the launcher's class-data archive ({@code bin/paddock} runs it once per
 * built jar and JDK, under {@code -XX:ArchiveClassesAtExit}): the JVM then maps the classes a
 * server loads from that archive instead of loading them from the jar, and a server answers about
 * twice as soon after its start (160 vs 315 ms to the first {@code ruok}, measured 2026-12-06 on
 * this project's 2-core machine). The run serves one session over loopback on an ephemeral port with a temporary
 * data directory (create, read, write, list, delete, close), asks two four-letter words, and then
 * loads, without initialising them, every Paddock class in the jar, so the ensemble's election and
 * replication classes are archived too although a standalone run never uses them. Nothing is left
 * behind but the archive the JVM writes at exit.
 */
final class CdsTraining {
    /** Bounds every read of the training's own client: a server that does not answer fails the run. */
    private static final int READ_TIMEOUT_MS = 10_000;

    private CdsTraining() {}

    static int run(PrintStream out, PrintStream err) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("paddock-cds-training");
            ServerConfig config = ServerConfig.defaults().withDataDir(dir).withClientPort(0);
            PaddockServer server = new PaddockServer(config);
            try {
                server.start();
                oneSession(server.clientPort());
                word(server.clientPort(), "srvr");
                word(server.clientPort(), "mntr");
            } finally {
                server.close();
            }
            int loaded = loadPaddockClasses();
            out.println("paddock: class-data training done (" + loaded + " Paddock classes loaded)");
            return Main.EXIT_OK;
        } catch (IOException | ServerConfig.ConfigException | URISyntaxException e) {
            err.println("paddock: class-data training failed: " + e);
            return Main.EXIT_FAILED;
        } finally {
            if (dir != null) {
                deleteTree(dir);
            }
        }
    }

    private static void oneSession(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), READ_TIMEOUT_MS);
            s.setSoTimeout(READ_TIMEOUT_MS);
            OutputStream o = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            frame(o, null, new ConnectRequest(0, 0, 30_000, 0, new byte[16], false));
            reply(in);
            String path = "/paddock-cds-training";
            byte[] data = "training".getBytes(StandardCharsets.UTF_8);
            int xid = 1;
            request(o, in, xid++, OpCode.CREATE, new CreateRequest(path, data, Acl.OPEN, 0));
            request(o, in, xid++, OpCode.GET_DATA, new GetDataRequest(path, true));
            request(o, in, xid++, OpCode.SET_DATA, new SetDataRequest(path, data, -1));
            reply(in); // the data watch fires
            request(o, in, xid++, OpCode.EXISTS, new ExistsRequest(path, false));
            request(o, in, xid++, OpCode.GET_CHILDREN, new GetChildrenRequest("/", false));
            request(o, in, xid++, OpCode.DELETE, new DeleteRequest(path, -1));
            request(o, in, xid, OpCode.CLOSE_SESSION, null);
        }
    }

    private static void request(OutputStream o, DataInputStream in, int xid, int op, JuteRecord body)
            throws IOException {
        frame(o, new RequestHeader(xid, op), body);
        reply(in);
    }

    private static void frame(OutputStream o, RequestHeader header, JuteRecord body) throws IOException {
        JuteWriter w = new JuteWriter(64);
        if (header != null) {
            header.write(w);
        }
        if (body != null) {
            body.write(w);
        }
        byte[] bytes = w.toByteArray();
        JuteWriter framed = new JuteWriter(bytes.length + 4);
        framed.writeInt(bytes.length);
        o.write(framed.toByteArray());
        o.write(bytes);
        o.flush();
    }

    /** Reads one reply frame (its content does not matter here, only that it came). */
    private static void reply(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > 1 << 20) {
            throw new IOException("the training server sent a frame of " + length + " bytes");
        }
        in.readFully(new byte[length]);
    }

    private static void word(int port, String word) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), READ_TIMEOUT_MS);
            s.setSoTimeout(READ_TIMEOUT_MS);
            s.getOutputStream().write(word.getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            while (in.read(buf) >= 0) {
                // the server closes the connection after the answer
            }
        }
    }

    /** Loads (without initialising) every io.paddock class of the jar this class came from. */
    private static int loadPaddockClasses() throws IOException, URISyntaxException {
        Path jar = Path.of(CdsTraining.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!Files.isRegularFile(jar)) {
            return 0; // run from a classes directory (a test): nothing to archive anyway
        }
        ClassLoader loader = CdsTraining.class.getClassLoader();
        int loaded = 0;
        try (JarFile file = new JarFile(jar.toFile())) {
            Enumeration<JarEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                if (!name.startsWith("io/paddock/") || !name.endsWith(".class")) {
                    continue;
                }
                try {
                    Class.forName(name.substring(0, name.length() - ".class".length()).replace('/', '.'), false, loader);
                    loaded++;
                } catch (LinkageError | ClassNotFoundException e) {
                    // a class that cannot load here is simply not archived
                }
            }
        }
        return loaded;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
