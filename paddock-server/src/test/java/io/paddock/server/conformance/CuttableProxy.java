package io.paddock.server.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP forwarder between clients and a target that a test can cut: {@link #cut()} closes every
 * forwarded connection and refuses new ones (accepts then closes them) until {@link #restore()}.
 * This is how a test makes a client lose its server for a controlled time without touching the
 * server: the session stops pinging, and what happens meanwhile is "missed" by the client.
 */
final class CuttableProxy implements AutoCloseable {
    private static final int BUFFER_BYTES = 8192;

    private final int targetPort;
    private final ServerSocket listener;
    private final List<Socket> open = new ArrayList<>();
    private boolean cut;
    private boolean closed;

    CuttableProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getByName(TargetSettings.HOST));
        Thread acceptor = new Thread(this::acceptLoop, "proxy-accept-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String connectString() {
        return TargetSettings.HOST + ":" + listener.getLocalPort();
    }

    synchronized void cut() {
        cut = true;
        closeAllOpen();
    }

    synchronized void restore() {
        cut = false;
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        closeAllOpen();
        listener.close();
    }

    private void acceptLoop() {
        while (true) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // the listener was closed
            }
            forwardOrRefuse(client);
        }
    }

    private void forwardOrRefuse(Socket client) {
        Socket server = null;
        synchronized (this) {
            if (!cut && !closed) {
                try {
                    server = new Socket(TargetSettings.HOST, targetPort);
                } catch (IOException e) {
                    server = null;
                }
            }
            if (server == null) {
                closeQuietly(client);
                return;
            }
            open.add(client);
            open.add(server);
        }
        pump(client, server);
        pump(server, client);
    }

    private void pump(Socket from, Socket to) {
        Thread pump = new Thread(() -> copyUntilEnd(from, to), "proxy-pump");
        pump.setDaemon(true);
        pump.start();
    }

    private void copyUntilEnd(Socket from, Socket to) {
        byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (SocketException e) {
            // the other direction or cut() closed the socket: the normal way a pump ends
        } catch (IOException e) {
            // a reset from either side ends this connection like a close does
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void closeAllOpen() {
        for (Socket socket : open) {
            closeQuietly(socket);
        }
        open.clear();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a socket that is already broken: nothing left to release
        }
    }
}
