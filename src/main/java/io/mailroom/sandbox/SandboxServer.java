package io.mailroom.sandbox;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.mail.MovingMessage;
import com.icegreen.greenmail.user.MessageDeliveryHandler;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.mailroom.smtp.AuthMechanism;
import io.mailroom.smtp.Security;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import io.mailroom.smtp.SmtpSettings;
import io.mailroom.store.PrivateFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The embedded server behind {@code run --sandbox DIR}: GreenMail on a loopback port, no TLS, no AUTH,
 * writing every message it receives into DIR as NNNNNN-recipient.eml (numbering continues after files
 * already there), the folder and files private to the user ({@link PrivateFiles}). Everything else about the run — database, statuses, replies — is real.
 */
public final class SandboxServer implements AutoCloseable {
    private final GreenMail greenMail;
    private final Path folder;
    private final Set<MovingMessage> written = Collections.newSetFromMap(new IdentityHashMap<>());
    private int next;
    private IOException writeFailure;

    private SandboxServer(GreenMail greenMail, Path folder, int next) {
        this.greenMail = greenMail;
        this.folder = folder;
        this.next = next;
    }

    public static SandboxServer start(Path folder, Consumer<String> notes) throws IOException {
        PrivateFiles.folder(folder, notes);
        int existing;
        try (Stream<Path> files = Files.list(folder)) {
            existing = (int) files.filter(p -> p.toString().endsWith(".eml")).count();
        }
        GreenMail gm = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        gm.withConfiguration(GreenMailConfiguration.aConfig().withDisabledAuthentication());
        SandboxServer server = new SandboxServer(gm, folder, existing + 1);
        startQuietly(gm);
        MessageDeliveryHandler original = gm.getUserManager().getMessageDeliveryHandler();
        gm.getUserManager().setMessageDeliveryHandler((message, address) -> {
            server.write(message);
            return original.handle(message, address);
        });
        return server;
    }

    /**
     * The thread group GreenMail's threads run in. Its SMTP handler turns a client that hangs up (a run stopped
     * at once, a refused certificate, a message cut off mid-DATA) into an IllegalStateException its connection
     * thread does not catch, which the JVM prints on standard error: a stack trace on the user's terminal, or
     * hundreds in a passing build. Those are dropped; anything else is still printed.
     */
    private static final ThreadGroup CLIENTS_MAY_HANG_UP = new ThreadGroup("greenmail") {
        @Override
        public void uncaughtException(Thread t, Throwable e) {
            if (!clientHungUp(e)) super.uncaughtException(t, e);
        }
    };

    private static boolean clientHungUp(Throwable e) {
        if (!(e instanceof IllegalStateException) || !String.valueOf(e.getMessage()).startsWith("Unexpected error handling connection")) return false;
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            // a socket that failed, or one that ended in the middle of a message's DATA
            if (c instanceof IOException || c instanceof IllegalStateException && String.valueOf(c.getMessage()).startsWith("Unexpected end of stream")) {
                return true;
            }
        }
        return false;
    }

    /** Starts {@code greenMail} with its threads (it makes its connections' threads from its own) in {@link #CLIENTS_MAY_HANG_UP}. */
    public static void startQuietly(GreenMail greenMail) {
        RuntimeException[] failed = new RuntimeException[1];
        Thread starter = new Thread(CLIENTS_MAY_HANG_UP, () -> {
            try {
                greenMail.start();
            } catch (RuntimeException e) {
                failed[0] = e;
            }
        }, "greenmail-start");
        starter.start();
        try {
            starter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the sandbox server started", e);
        }
        if (failed[0] != null) throw failed[0];
    }

    /** Settings that point a job at this server instead of its own. */
    public SmtpSettings settings() {
        return new SmtpSettings("127.0.0.1", greenMail.getSmtp().getPort(), Security.NONE, null, AuthMechanism.AUTO, null, false, null, "localhost");
    }

    public Path folder() { return folder; }

    private synchronized void write(MovingMessage message) {
        if (!written.add(message)) return;
        String first = firstTo(message);
        Path file = folder.resolve(String.format("%06d-%s.eml", next++, first.replaceAll("[^A-Za-z0-9@._+-]", "_")));
        try (OutputStream out = PrivateFiles.create(file, note -> { })) {
            message.getMessage().writeTo(out);
        } catch (Exception e) {
            writeFailure = new IOException("sandbox could not write " + file + ": " + e.getMessage(), e);
        }
    }

    private static String firstTo(MovingMessage message) {
        try {
            Address[] to = message.getMessage().getRecipients(Message.RecipientType.TO);
            if (to != null && to.length > 0 && to[0] instanceof InternetAddress a) return a.getAddress();
        } catch (MessagingException ignored) {
            // fall back to the envelope
        }
        return message.getToAddresses().stream().findFirst().map(Object::toString).orElse("unknown");
    }

    @Override
    public void close() throws IOException {
        greenMail.stop();
        if (writeFailure != null) throw writeFailure;
    }
}
