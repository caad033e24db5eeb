package io.mailroom.testing;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A small SMTP server on a real loopback socket, for what real servers won't do on demand (a chosen
 * reply to a chosen RCPT, a refusing greeting, STARTTLS or implicit TLS with any certificate, a reply forged
 * ahead of the TLS handshake; GreenMail has no STARTTLS and one certificate per JVM), and faults: a drop
 * inside DATA or after the final ".", a hang at any step, 421 after K messages, multi-line replies, a slow or held
 * greeting, a 354 with no recipient accepted. Answers commands in order, so it also serves pipelining
 * clients; accepts any AUTH PLAIN/LOGIN unless scripted otherwise (other mechanisms, AUTH offered only
 * after STARTTLS, the replies AUTH gets). Sloppy about the envelope: recipients accepted in one transaction
 * stay in the next (MAIL does not clear them, nor does the end of a transaction) until RSET, so a client
 * that does not reset between messages is caught sending to earlier recipients. Records each connection's
 * client lines and every accepted message (envelope and un-stuffed content).
 */
public final class ScriptedSmtpServer implements AutoCloseable {
    public record Received(String from, List<String> recipients, String content) { }

    /** What goes wrong with the Nth message the server is sent (counted over all connections, from 1). */
    public enum Fault {
        /** Reads MAIL FROM and never answers (nor anything after it). */
        HANG_AT_MAIL,
        /** Answers MAIL, reads the first RCPT TO and never answers. */
        HANG_AT_RCPT,
        /** Answers MAIL and RCPT, reads DATA and never answers: no 354, so no content is on its way. */
        HANG_AT_DATA,
        /** Answers DATA with 554 although a recipient was accepted (and, sloppy, keeps that recipient). */
        REFUSED_AT_DATA,
        /** Takes the whole message, then answers the final "." with 451 and keeps nothing of it but its recipients. */
        DEFERRED_AFTER_DOT,
        /** Says 354 to DATA although it accepted no recipient (broken), takes what follows up to ".", then answers 554. */
        DATA_WITHOUT_RECIPIENTS,
        /** Like {@link #DATA_WITHOUT_RECIPIENTS}, but never answers the ".". */
        DATA_WITHOUT_RECIPIENTS_THEN_SILENT,
        /** Hangs up on the DATA command, before 354: the message was never on its way. */
        DROP_AT_DATA,
        /** Says 354, reads one line, then resets the connection: with content larger than the socket buffers the client is still writing. */
        DROP_IN_DATA,
        /** Says 354, then stops reading without closing: a client writing a large message blocks. */
        STALL_IN_DATA,
        /** Takes the whole message, then hangs up without a reply: the server has it, the client can't know. */
        DROP_AFTER_DOT,
        /** Takes the whole message and never replies. */
        HANG_AFTER_DOT,
        /** Answers DATA with 250 instead of 354 and reads no content: a client that believes it has sent nothing. */
        OK_INSTEAD_OF_354,
        /** Sends a forged "250 queued" right behind its 354, then refuses the message after the final ".". */
        FORGED_OK_AFTER_354,
        /** Refuses MAIL FROM, yet accepts the pipelined RCPT and DATA that follow and takes the message. */
        REFUSED_MAIL_THEN_354,
        /** Takes the whole message, says nothing about it, and goes on answering the next commands. */
        SILENT_AFTER_DOT,
        /** Takes the whole message, then trickles a reply that never ends, a byte every 100 ms (a tarpit). */
        DRIP_AFTER_DOT
    }

    private final ServerSocket listener;
    private final Map<String, String> rcptReplies = new ConcurrentHashMap<>();
    private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    private final List<String> clientLines = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> mailNanos = Collections.synchronizedList(new ArrayList<>());
    private volatile String greeting = "220 scripted.test ESMTP ready";
    private volatile SSLContext tls;
    private volatile SSLContext implicitTls;
    private volatile boolean injectBeforeTls;
    private volatile boolean pipelining;
    private volatile boolean dsn;
    private volatile boolean multiLine;
    private volatile String authMechanisms = "PLAIN LOGIN";
    private volatile boolean authOnlyOverTls;
    private volatile List<String> authReplies = List.of("235 2.7.0 Authentication successful");
    private volatile int closeAfter;
    private final java.util.concurrent.atomic.AtomicInteger transientBurst = new java.util.concurrent.atomic.AtomicInteger();
    private volatile long greetingDelayMillis;
    private volatile long queueingMillis;
    private volatile CountDownLatch greetingHold = new CountDownLatch(0);
    private final Map<Integer, Fault> faults = new ConcurrentHashMap<>();
    private int messages;
    private int connections;
    // connections are served one thread each, so a stalled one does not block the next

    public ScriptedSmtpServer() throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::serve, "scripted-smtp");
        t.setDaemon(true);
        t.start();
    }

    public int port() { return listener.getLocalPort(); }

    /** The whole reply line RCPT TO:&lt;address&gt; gets, e.g. "550 5.1.1 No such user". */
    public ScriptedSmtpServer rejectRecipient(String address, String replyLine) {
        rcptReplies.put(address.toLowerCase(java.util.Locale.ROOT), replyLine);
        return this;
    }

    /** From now on RCPT TO:&lt;address&gt; is accepted again. */
    public ScriptedSmtpServer acceptRecipient(String address) {
        rcptReplies.remove(address.toLowerCase(java.util.Locale.ROOT));
        return this;
    }

    public ScriptedSmtpServer fault(int message, Fault fault) {
        faults.put(message, fault);
        return this;
    }

    /** Announces PIPELINING (commands are answered in order either way). */
    public ScriptedSmtpServer pipelining(boolean on) {
        pipelining = on;
        return this;
    }

    /** Announces DSN (RFC 3461): the parameters it takes are only recorded, with the other client lines. */
    public ScriptedSmtpServer dsn(boolean on) {
        dsn = on;
        return this;
    }

    /** Every reply comes as two lines. */
    public ScriptedSmtpServer multiLine(boolean on) {
        multiLine = on;
        return this;
    }

    /** The mechanisms EHLO offers after "AUTH", e.g. "PLAIN LOGIN XOAUTH2". */
    public ScriptedSmtpServer authMechanisms(String mechanisms) {
        authMechanisms = mechanisms;
        return this;
    }

    /** Offers AUTH only once STARTTLS is done, as a server set never to take a password in the clear does. */
    public ScriptedSmtpServer authOnlyOverTls() {
        authOnlyOverTls = true;
        return this;
    }

    /**
     * The replies an AUTH command gets, in turn: after each 334 the client's next line is read and answered
     * with the next one, e.g. a 334 carrying an XOAUTH2 error, then the final 535.
     */
    public ScriptedSmtpServer authReplies(String... replies) {
        authReplies = List.of(replies);
        return this;
    }

    /** Answers the next {@code k} RCPTs (any address) with 451 4.3.0, then behaves again. */
    public ScriptedSmtpServer transientBurst(int k) {
        transientBurst.set(k);
        return this;
    }

    /** Answers MAIL with 421 4.7.0 once a connection has carried {@code k} messages, then hangs up. */
    public ScriptedSmtpServer closeAfter(int k) {
        closeAfter = k;
        return this;
    }

    /** Waits this long before the greeting (a real wait: the client's timeout is what is tested). */
    /** Takes this long to answer each final "." (a server queueing to disk, or a link's round trip): a kill lands there more often. */
    public ScriptedSmtpServer queueing(long millis) {
        queueingMillis = millis;
        return this;
    }

    public ScriptedSmtpServer greetingDelay(long millis) {
        greetingDelayMillis = millis;
        return this;
    }

    /**
     * Holds every greeting until {@link #releaseGreetings()}: the client stays connected and waiting for as long as the
     * test needs, where {@link #greetingDelay} would only guess how long that is.
     */
    public ScriptedSmtpServer holdGreetings() {
        greetingHold = new CountDownLatch(1);
        return this;
    }

    public void releaseGreetings() { greetingHold.countDown(); }

    public synchronized int connections() { return connections; }

    public ScriptedSmtpServer greeting(String line) {
        greeting = line;
        return this;
    }

    /** Offers STARTTLS with this certificate; {@code inject} sends a forged reply right behind the 220. */
    public ScriptedSmtpServer startTls(TestCertificate certificate, boolean inject) throws Exception {
        tls = serverContext(certificate);
        injectBeforeTls = inject;
        return this;
    }

    /** Speaks TLS from the first byte (port 465 style) with this certificate; STARTTLS is then not offered. */
    public ScriptedSmtpServer implicitTls(TestCertificate certificate) throws Exception {
        implicitTls = serverContext(certificate);
        return this;
    }

    private static SSLContext serverContext(TestCertificate certificate) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = java.nio.file.Files.newInputStream(certificate.keyStore())) {
            ks.load(in, certificate.password().toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, certificate.password().toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }

    public List<Received> received() { return List.copyOf(received); }

    public List<String> clientLines() { return List.copyOf(clientLines); }

    /** When each MAIL FROM arrived, as {@link System#nanoTime}: where a provider starts counting a message against its limits. */
    public List<Long> mailTimes() { return List.copyOf(mailNanos); }

    private void serve() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                s.setTcpNoDelay(true);
                Thread t = new Thread(() -> {
                    try (s) {
                        converse(s);
                    } catch (IOException dropped) {
                        // the client went away
                    }
                }, "scripted-smtp-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                // the listener closed
            }
        }
    }

    private void converse(Socket plain) throws IOException {
        synchronized (this) {
            connections++;
        }
        Socket s = plain;
        boolean secure = false;
        if (implicitTls != null) {
            SSLSocket ssl = (SSLSocket) implicitTls.getSocketFactory().createSocket(plain, null, plain.getPort(), true);
            ssl.setUseClientMode(false);
            ssl.startHandshake();
            s = ssl;
            secure = true;
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        OutputStream out = s.getOutputStream();
        if (greetingDelayMillis > 0) pause(greetingDelayMillis);
        try {
            greetingHold.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        reply(out, greeting);
        int carried = 0;
        if (!greeting.startsWith("220")) return;
        String from = null;
        List<String> rcpts = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null) {
            clientLines.add(line);
            String upper = line.toUpperCase(java.util.Locale.ROOT);
            if (upper.startsWith("EHLO")) {
                reply(out, "250-scripted.test\r\n" + (tls != null && !secure ? "250-STARTTLS\r\n" : "") + (pipelining ? "250-PIPELINING\r\n" : "")
                        + (dsn ? "250-DSN\r\n" : "") + (authOnlyOverTls && !secure ? "" : "250-AUTH " + authMechanisms + "\r\n")
                        + "250-ENHANCEDSTATUSCODES\r\n250 8BITMIME");
            } else if (upper.equals("STARTTLS") && tls != null && !secure) {
                reply(out, injectBeforeTls ? "220 2.0.0 Ready to start TLS\r\n250 2.0.0 forged reply sent before the handshake" : "220 2.0.0 Ready to start TLS");
                SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(s, null, s.getPort(), true);
                ssl.setUseClientMode(false);
                ssl.startHandshake();
                s = ssl;
                secure = true;
                in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                out = s.getOutputStream();
            } else if (upper.startsWith("HELO")) {
                reply(out, "250 scripted.test");
            } else if (upper.startsWith("AUTH")) {
                for (String r : authReplies) {
                    reply(out, r);
                    if (!r.startsWith("334")) break;
                    String answer = in.readLine();
                    if (answer == null) return;
                    clientLines.add(answer);
                }
            } else if (upper.startsWith("MAIL FROM:")) {
                if (closeAfter > 0 && carried >= closeAfter) {
                    reply(out, "421 4.7.0 Too many messages for this connection, closing");
                    return;
                }
                if (strikes(Fault.HANG_AT_MAIL)) {
                    silentUntilClosed(in);
                    return;
                }
                mailNanos.add(System.nanoTime());
                // sloppy: MAIL starts no fresh envelope (RFC 5321 says it should); only RSET clears the recipients
                from = between(line);
                boolean refuse;
                synchronized (this) {
                    refuse = faults.get(messages + 1) == Fault.REFUSED_MAIL_THEN_354;
                }
                reply(out, refuse ? "550 5.7.1 Sender refused" : "250 2.1.0 Ok");
            } else if (upper.startsWith("RCPT TO:")) {
                if (strikes(Fault.HANG_AT_RCPT)) {
                    silentUntilClosed(in);
                    return;
                }
                String rcpt = between(line);
                String scripted = transientBurst.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? "451 4.3.0 Try again later"
                        : rcptReplies.get(rcpt.toLowerCase(java.util.Locale.ROOT));
                if (scripted == null) rcpts.add(rcpt);
                reply(out, scripted != null ? scripted : "250 2.1.5 Ok");
            } else if (upper.equals("DATA")) {
                if (rcpts.isEmpty() && (strikes(Fault.DATA_WITHOUT_RECIPIENTS) || strikes(Fault.DATA_WITHOUT_RECIPIENTS_THEN_SILENT))) {
                    reply(out, "354 End data with <CR><LF>.<CR><LF>");
                    String content = readData(in);
                    if (content == null) return;
                    received.add(new Received(from, List.of(), content));
                    if (faults.get(messages) == Fault.DATA_WITHOUT_RECIPIENTS_THEN_SILENT) {
                        silentUntilClosed(in);
                        return;
                    }
                    reply(out, "554 5.5.1 Error: no valid recipients");
                    continue;
                }
                if (rcpts.isEmpty()) {
                    reply(out, "554 5.5.1 Error: no valid recipients");
                    continue;
                }
                Fault fault;
                synchronized (this) {
                    fault = faults.get(++messages);
                }
                if (fault == Fault.DROP_AT_DATA) return;
                if (fault == Fault.HANG_AT_DATA) {
                    silentUntilClosed(in);
                    return;
                }
                if (fault == Fault.REFUSED_AT_DATA) {
                    reply(out, "554 5.7.1 Transaction refused");
                    continue;
                }
                if (fault == Fault.OK_INSTEAD_OF_354) {
                    reply(out, "250 2.0.0 Ok");
                    continue;
                }
                reply(out, fault == Fault.FORGED_OK_AFTER_354 ? "354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued as FORGED"
                        : "354 End data with <CR><LF>.<CR><LF>");
                if (fault == Fault.DROP_IN_DATA) {
                    in.readLine();
                    s.setSoLinger(true, 0);
                    return;
                }
                if (fault == Fault.STALL_IN_DATA) {
                    stall(s);
                    return;
                }
                String content = readData(in);
                if (content == null) return;
                if (fault == Fault.DEFERRED_AFTER_DOT) {
                    reply(out, "451 4.3.0 Local error, try again later");
                    continue;
                }
                received.add(new Received(from, List.copyOf(rcpts), content));
                carried++;
                if (fault == Fault.DROP_AFTER_DOT) return;
                if (fault == Fault.HANG_AFTER_DOT) {
                    silentUntilClosed(in);
                    return;
                }
                if (fault == Fault.SILENT_AFTER_DOT) continue;
                if (fault == Fault.FORGED_OK_AFTER_354) {
                    reply(out, "554 5.7.1 Message refused");
                    continue;
                }
                if (fault == Fault.DRIP_AFTER_DOT) {
                    out.write("250 2.0.0 ".getBytes(StandardCharsets.US_ASCII));
                    while (!listener.isClosed()) {
                        out.write('.');
                        out.flush();
                        pause(100);
                    }
                    return;
                }
                if (queueingMillis > 0) pause(queueingMillis);
                reply(out, "250 2.0.0 Ok: queued as Q" + received.size());
            } else if (upper.equals("RSET")) {
                from = null;
                rcpts.clear();
                reply(out, "250 2.0.0 Ok");
            } else if (upper.equals("NOOP")) {
                reply(out, "250 2.0.0 Ok");
            } else if (upper.equals("QUIT")) {
                reply(out, "221 2.0.0 Bye");
                return;
            } else {
                reply(out, "502 5.5.2 Error: command not recognized");
            }
        }
    }

    /**
     * True when the message now begun (the next to be counted) is scripted to fail with {@code fault} before
     * DATA: it then counts as sent, so a retry is the next message.
     */
    private synchronized boolean strikes(Fault fault) {
        if (faults.get(messages + 1) != fault) return false;
        messages++;
        return true;
    }

    /** Says nothing more, recording what the client still sends, until it gives up and closes. */
    private void silentUntilClosed(BufferedReader in) throws IOException {
        String line;
        while ((line = in.readLine()) != null) clientLines.add(line);
    }

    /** The message up to its final ".", or null when the connection ended first (a server discards that). */
    private static String readData(BufferedReader in) throws IOException {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals(".")) return content.toString(StandardCharsets.UTF_8);
            String unstuffed = line.startsWith(".") ? line.substring(1) : line;
            content.writeBytes((unstuffed + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        return null;
    }

    private static String between(String line) {
        int open = line.indexOf('<');
        int close = line.indexOf('>', open);
        return open < 0 || close < 0 ? "" : line.substring(open + 1, close);
    }

    private void reply(OutputStream out, String lines) throws IOException {
        String wire = lines;
        if (multiLine && !lines.contains("\r\n") && lines.length() > 4) {
            wire = lines.substring(0, 3) + "-" + lines.substring(4) + "\r\n" + lines.substring(0, 3) + " (continued)";
        }
        out.write((wire + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Holds the connection open, reading nothing, until the server is closed. */
    private void stall(Socket s) {
        while (!listener.isClosed()) pause(50);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        greetingHold.countDown();
        listener.close();
    }
}
