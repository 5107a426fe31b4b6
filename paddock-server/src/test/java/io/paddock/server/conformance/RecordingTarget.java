package io.paddock.server.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Paddock behind a proxy that records what clients send: every connection's client-to-server
 * bytes go to their own file, {@code <dir>/conn-<n>}, in {@code -Dpaddock.recordDir} (default
 * {@code target/recorded-traffic}). It exists to seed the core's fuzz targets with real client
 * traffic: run the conformance tests against it with {@code -Dpaddock.targets=paddock-recorded}
 * and import the files with paddock-core's {@code RecordedTrafficSeedsTest} (see the README,
 * "Fuzzing"). Not used by the normal test run.
 */
public final class RecordingTarget implements Target {
    public static final String DIR_PROPERTY = "paddock.recordDir";
    private static final int BUFFER_BYTES = 8192;

    private final PaddockTarget server = new PaddockTarget();
    private final AtomicInteger connections = new AtomicInteger();
    private ServerSocket listener;
    private Path dir;

    @Override
    public String name() {
        return "paddock-recorded";
    }

    @Override
    public void start() throws Exception {
        server.start();
        dir = Path.of(System.getProperty(DIR_PROPERTY, "target/recorded-traffic"));
        Files.createDirectories(dir);
        listener = new ServerSocket(0, 50, InetAddress.getByName(TargetSettings.HOST));
        Thread acceptor = new Thread(this::acceptLoop, "recording-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @Override
    public String connectString() {
        return TargetSettings.HOST + ":" + listener.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        if (listener != null) {
            listener.close();
        }
        server.close();
    }

    private void acceptLoop() {
        while (true) {
            Socket client;
            Socket upstream;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            try {
                upstream = new Socket(TargetSettings.HOST, server.clientPort());
            } catch (IOException e) {
                closeQuietly(client);
                continue;
            }
            Path file = dir.resolve("conn-" + connections.incrementAndGet());
            pump(client, upstream, file);
            pump(upstream, client, null);
        }
    }

    private static void pump(Socket from, Socket to, Path recordTo) {
        Thread pump = new Thread(() -> {
            byte[] buffer = new byte[BUFFER_BYTES];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream();
                 OutputStream record = recordTo == null ? OutputStream.nullOutputStream() : Files.newOutputStream(recordTo)) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    record.write(buffer, 0, read);
                    record.flush();
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException e) {
                // either side closed or reset: the connection is over
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "recording-pump");
        pump.setDaemon(true);
        pump.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already broken: nothing left to release
        }
    }
}
