package io.mailroom.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A TCP proxy on loopback in front of a real server that records every byte the client sends, so tests
 * can prove from the wire what the client did (one EHLO, one AUTH, RSET between messages). It can also
 * edit what the server says (plaintext only).
 */
public final class RecordingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int targetPort;
    private final UnaryOperator<String> rewriteServer;
    private final ByteArrayOutputStream fromClient = new ByteArrayOutputStream();
    private final List<Socket> sockets = new ArrayList<>();
    private int connections;

    public RecordingProxy(int targetPort) throws IOException {
        this(targetPort, UnaryOperator.identity());
    }

    /** {@code rewriteServer} edits what the server sends (each read), e.g. to hide an AUTH mechanism. */
    public RecordingProxy(int targetPort, UnaryOperator<String> rewriteServer) throws IOException {
        this.targetPort = targetPort;
        this.rewriteServer = rewriteServer;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "recording-proxy");
        t.setDaemon(true);
        t.start();
    }

    public int port() { return listener.getLocalPort(); }

    public synchronized int connections() { return connections; }

    /** Command lines the client sent, in order (DATA content included). */
    public synchronized List<String> clientLines() {
        return List.of(fromClient.toString(StandardCharsets.UTF_8).split("\r\n"));
    }

    private void accept() {
        try {
            while (true) {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                synchronized (this) {
                    connections++;
                    sockets.add(client);
                    sockets.add(server);
                }
                pump(client.getInputStream(), server.getOutputStream(), true);
                pump(server.getInputStream(), client.getOutputStream(), false);
            }
        } catch (IOException closed) {
            // the proxy was closed
        }
    }

    private void pump(InputStream in, OutputStream out, boolean record) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (record) {
                        synchronized (this) {
                            fromClient.write(buf, 0, n);
                        }
                        out.write(buf, 0, n);
                    } else {
                        out.write(rewriteServer.apply(new String(buf, 0, n, StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1));
                    }
                    out.flush();
                }
                out.close();
            } catch (IOException ignored) {
                // either side closed
            }
        }, "recording-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public synchronized void close() throws IOException {
        listener.close();
        for (Socket s : sockets) s.close();
    }
}
