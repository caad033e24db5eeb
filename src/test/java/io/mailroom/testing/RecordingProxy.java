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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A TCP proxy on loopback in front of a real server that records every byte the client sends, so tests
 * can prove from the wire what the client did (one EHLO, one AUTH, RSET between messages), in all and per
 * connection. It can also edit what the server says (plaintext only), and hold each connection's first
 * MAIL until several connections have sent one, so that parallel sessions each carry a message however
 * the threads are scheduled.
 */
public final class RecordingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int targetPort;
    private final UnaryOperator<String> rewriteServer;
    private final ByteArrayOutputStream fromClient = new ByteArrayOutputStream();
    private final List<ByteArrayOutputStream> fromClientByConnection = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();
    private int connections;
    private volatile CountDownLatch firstMails = new CountDownLatch(0);

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

    /** What {@link #clientLines()} says, for each connection apart, in the order they were accepted. */
    public synchronized List<List<String>> clientLinesByConnection() {
        return fromClientByConnection.stream().map(b -> List.of(b.toString(StandardCharsets.UTF_8).split("\r\n"))).toList();
    }

    /**
     * Holds each connection's first MAIL FROM (and whatever came with it) until {@code n} connections have
     * sent theirs, at most 30 seconds: until then no session gets a reply to its first message.
     */
    public RecordingProxy holdFirstMailUntil(int n) {
        firstMails = new CountDownLatch(n);
        return this;
    }

    private void accept() {
        try {
            while (true) {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                ByteArrayOutputStream recorded = new ByteArrayOutputStream();
                synchronized (this) {
                    connections++;
                    sockets.add(client);
                    sockets.add(server);
                    fromClientByConnection.add(recorded);
                }
                pump(client.getInputStream(), server.getOutputStream(), recorded);
                pump(server.getInputStream(), client.getOutputStream(), null);
            }
        } catch (IOException closed) {
            // the proxy was closed
        }
    }

    /** Copies {@code in} to {@code out}; what the client sends is recorded, in all and in {@code recorded} (null: the server's side). */
    private void pump(InputStream in, OutputStream out, ByteArrayOutputStream recorded) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            boolean mailSeen = false;
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (recorded != null) {
                        String sofar;
                        synchronized (this) {
                            fromClient.write(buf, 0, n);
                            recorded.write(buf, 0, n);
                            sofar = mailSeen ? null : recorded.toString(StandardCharsets.ISO_8859_1);
                        }
                        if (!mailSeen && (sofar.startsWith("MAIL FROM:") || sofar.contains("\r\nMAIL FROM:"))) {
                            mailSeen = true;
                            awaitFirstMails();
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

    private void awaitFirstMails() {
        CountDownLatch latch = firstMails;
        latch.countDown();
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        listener.close();
        for (Socket s : sockets) s.close();
    }
}
