package io.mailroom.smtp;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One TCP connection: the socket, a reply reader and a command writer, every wait (read or write)
 * bounded by the stage's timeout. Knows nothing of SMTP state; {@link SmtpClient} and {@link SmtpSession} drive it.
 */
final class Connection implements Closeable {
    /**
     * Connections in the middle of a write, which one thread looks over every {@link #WRITE_TICK_NANOS}: a
     * task scheduled and cancelled per write woke a thread twice a message, on the send path's clock. The
     * thread exists only while writes are being timed and ends when idle.
     */
    private static final Set<Connection> WRITING = ConcurrentHashMap.newKeySet();
    private static final long WRITE_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Guarded by WRITING. */
    private static boolean watching;

    private final String host;
    private final Timeouts timeouts;
    private final Transcript transcript;
    private Socket socket;
    private ReplyReader reader;
    private CommandWriter writer;
    private OutputStream out;
    private boolean tls;
    /** When the reply being read must be complete (System.nanoTime), and the stage it belongs to. */
    private long replyDeadline;
    private Step replyStep;
    private int replyMillis;
    /** The write under way must be over by then (System.nanoTime); guarded by this. */
    private boolean writing;
    private long writeDue;
    private boolean writeTimedOut;

    private Connection(String host, Timeouts timeouts, Transcript transcript) {
        this.host = host;
        this.timeouts = timeouts;
        this.transcript = transcript;
    }

    static Connection open(String host, int port, Timeouts timeouts, Transcript transcript, SSLContext implicitTls)
            throws IOException {
        Connection c = new Connection(host, timeouts, transcript);
        Socket plain = new Socket();
        try {
            plain.setTcpNoDelay(true);
            plain.connect(new InetSocketAddress(host, port), timeouts.millisFor(Step.CONNECT));
            c.attach(plain);
            transcript.note("connected to " + host + ":" + port);
            if (implicitTls != null) c.startTls(implicitTls);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
        return c;
    }

    /** Wraps the connected socket in TLS, verifying the certificate chain and the host name. */
    void startTls(SSLContext context) throws IOException {
        int dropped = reader.discardBuffered();
        if (dropped > 0) transcript.note("discarded " + dropped + " bytes received before the TLS handshake");
        SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(socket, host, socket.getPort(), true);
        SSLParameters params = ssl.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        ssl.setSSLParameters(params);
        ssl.setSoTimeout(timeouts.millisFor(Step.STARTTLS));
        ssl.startHandshake();
        attach(ssl);
        tls = true;
        transcript.note("TLS established: " + ssl.getSession().getProtocol() + " " + ssl.getSession().getCipherSuite());
    }

    private void attach(Socket s) throws IOException {
        socket = s;
        out = new BufferedOutputStream(s.getOutputStream(), 16 * 1024);
        reader = new ReplyReader(new DeadlineInput(s.getInputStream()), transcript);
        writer = new CommandWriter(out, transcript);
    }

    boolean isTls() { return tls; }

    /** The next reply, whole within the stage's timeout: a server trickling bytes cannot stretch it. */
    SmtpReply read(Step step) throws IOException {
        replyStep = step;
        replyMillis = timeouts.millisFor(step);
        replyDeadline = System.nanoTime() + replyMillis * 1_000_000L;
        return reader.read();
    }

    /** Each read of the socket waits at most until the current reply's deadline. */
    private final class DeadlineInput extends FilterInputStream {
        DeadlineInput(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            long left = (replyDeadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) throw timedOut();
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
            try {
                return super.read(b, off, len);
            } catch (SocketTimeoutException e) {
                // the socket's own "Read timed out" names neither the limit nor what was awaited
                throw timedOut();
            }
        }

        private SocketTimeoutException timedOut() {
            return new SocketTimeoutException("timed out after " + replyMillis + " ms waiting for the server's reply to " + replyStep);
        }
    }

    SmtpReply command(Step step, String command) throws IOException {
        return command(step, command, command);
    }

    SmtpReply command(Step step, String command, String shown) throws IOException {
        requireNothingUnasked();
        writer.write(command, shown);
        flush(step);
        return read(step);
    }

    /** Answers a 334 during AUTH with a line that may be longer than a command (RFC 4954 section 4). */
    SmtpReply respond(String response, String shown) throws IOException {
        requireNothingUnasked();
        writer.writeResponse(response, shown);
        flush(Step.AUTH);
        return read(Step.AUTH);
    }

    /**
     * Before the client speaks: a reply already waiting was sent before it was asked for (a second
     * reply to one command, or one forged ahead), and every reply after it would be matched to the wrong
     * command, the verdict on a message included. The session cannot be trusted.
     */
    void requireNothingUnasked() throws SmtpProtocolException {
        if (!reader.hasBufferedInput()) return;
        throw new SmtpProtocolException("the server sent more than its reply to " + replyStep + " (\"" + reader.bufferedLine()
                + "\"); what it says next cannot be matched to what was asked");
    }

    /** Buffers a command without sending it: a pipelined group is flushed once. */
    void queue(String command) throws IOException {
        writer.write(command, command);
    }

    void flush(Step step) throws IOException {
        guarded(step, out::flush);
    }

    /** Writes raw bytes (DATA content); the caller has already made them wire-safe. */
    void writeRaw(Step step, byte[] bytes, int offset, int length) throws IOException {
        guarded(step, () -> out.write(bytes, offset, length));
        transcript.wrote(step, length);
    }

    private interface Write { void run() throws IOException; }

    /**
     * Socket timeouts bound reads only; a server that stops reading would block a write forever. A
     * watchdog closes the socket when a write outlasts the stage's timeout.
     */
    private void guarded(Step step, Write write) throws IOException {
        int millis = timeouts.millisFor(step);
        synchronized (this) {
            writing = true;
            writeDue = System.nanoTime() + millis * 1_000_000L;
        }
        WRITING.add(this);
        synchronized (WRITING) {
            if (!watching) {
                watching = true;
                Thread t = new Thread(Connection::watchWrites, "mailroom-write-timeout");
                t.setDaemon(true);
                t.start();
            }
        }
        try {
            write.run();
        } catch (IOException e) {
            if (timedOutWriting()) throw new SocketTimeoutException("timed out after " + millis + " ms writing to the server during " + step);
            throw e;
        } finally {
            WRITING.remove(this);
            synchronized (this) {
                writing = false;
            }
        }
    }

    private synchronized boolean timedOutWriting() {
        return writeTimedOut;
    }

    private synchronized void closeIfLate(long now) {
        if (writing && now - writeDue >= 0) {
            writeTimedOut = true;
            close();
        }
    }

    private static void watchWrites() {
        long idleSince = System.nanoTime();
        while (true) {
            long now = System.nanoTime();
            for (Connection c : WRITING) c.closeIfLate(now);
            if (!WRITING.isEmpty()) idleSince = now;
            else if (now - idleSince >= IDLE_NANOS) {
                synchronized (WRITING) {
                    // checked under the lock a write takes after joining, so a write meanwhile keeps the thread
                    if (WRITING.isEmpty()) {
                        watching = false;
                        return;
                    }
                }
            }
            LockSupport.parkNanos(WRITE_TICK_NANOS);
        }
    }

    String localAddressLiteral() {
        String address = socket.getLocalAddress().getHostAddress();
        return address.contains(":") ? "[IPv6:" + address + "]" : "[" + address + "]";
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException | RuntimeException ignored) {
            // closing a broken socket has nothing left to report
        }
    }
}
