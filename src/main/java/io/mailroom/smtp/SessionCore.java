package io.mailroom.smtp;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What both engines share: the connection, the session's state, and every step whose bytes and checks do
 * not depend on pacing (MAIL FROM and RCPT TO with their parameters, recording replies, the content and its final ".",
 * RSET, NOOP, QUIT, breaking the session). An engine decides only when it writes and when it reads.
 */
abstract class SessionCore implements SmtpSession {
    private enum State { READY, NEEDS_RESET, BROKEN, CLOSED }

    final Connection connection;
    private final String id;
    private final Extensions extensions;
    private State state = State.READY;
    private int transactions;

    SessionCore(String id, Connection connection, Extensions extensions) {
        this.id = id;
        this.connection = connection;
        this.extensions = extensions;
    }

    @Override public String id() { return id; }

    @Override public Extensions extensions() { return extensions; }

    @Override public int transactions() { return transactions; }

    @Override public boolean isUsable() { return state == State.READY || state == State.NEEDS_RESET; }

    @Override
    public final <X extends Exception> void pump(Outbox<X> outbox) throws X {
        requireUsable();
        drain(outbox);
    }

    /** The engine: sends until the outbox hands out null or the session breaks. */
    abstract <X extends Exception> void drain(Outbox<X> outbox) throws X;

    /** A message in progress: what was sent and every reply so far. */
    static final class Tx {
        final Mail mail;
        final List<Exchange> done = new ArrayList<>();
        Step step = Step.MAIL;

        Tx(Mail mail) { this.mail = mail; }

        /** A transaction for {@code mail}, or null when the outbox had none. */
        static Tx of(Mail mail) { return mail == null ? null : new Tx(mail); }
    }

    /** A transaction starts: whatever happens to it, the next one needs an RSET first. */
    void begin() {
        transactions++;
        state = State.NEEDS_RESET;
    }

    boolean needsReset() { return state == State.NEEDS_RESET; }

    boolean isBroken() { return state == State.BROKEN; }

    /**
     * Writes the content, tells the outbox the "." is next, then writes the "." (both perhaps only buffered). A
     * failure while writing the content is CONTENT, as the server cannot take a message without its ".";
     * from the "." on it is END_OF_DATA, in doubt.
     * Nothing may be waiting after the 354: it would be read as the verdict on this message.
     */
    <X extends Exception> void writeContent(Tx tx, Outbox<X> outbox) throws IOException, X {
        connection.requireNothingUnasked();
        byte[] data = tx.mail.data();
        int dot = data.length - 3;
        tx.step = Step.CONTENT;
        connection.writeRaw(Step.CONTENT, data, 0, dot);
        boolean told = false;
        try {
            outbox.sending(tx.mail, List.copyOf(tx.done));
            told = true;
        } finally {
            // the outbox could not record that the "." goes next: it must not go, and the session is mid-message
            if (!told) breakSession();
        }
        tx.step = Step.END_OF_DATA;
        connection.writeRaw(Step.END_OF_DATA, data, dot, 3);
    }

    @Override
    public boolean probe() {
        requireUsable();
        try {
            if (connection.command(Step.NOOP, "NOOP").isPositive()) return true;
        } catch (IOException e) {
            // reported by the false below: the caller opens a fresh session
        }
        breakSession();
        return false;
    }

    /** RSET between messages proves the session still good; a refusal is treated like a broken connection. */
    void reset() throws IOException {
        requireResetAccepted(connection.command(Step.RSET, "RSET"));
        state = State.READY;
    }

    static void requireResetAccepted(SmtpReply reply) throws IOException {
        if (!reply.isPositive()) throw new IOException("RSET refused; the session is no longer trusted");
    }

    @Override
    public void quit() {
        if (isUsable()) {
            try {
                connection.command(Step.QUIT, "QUIT");
            } catch (IOException | RuntimeException ignored) {
                // the job is done with this session either way
            }
        }
        close();
    }

    @Override
    public void close() {
        connection.close();
        state = State.CLOSED;
    }

    <X extends Exception> void failBoth(Outbox<X> outbox, Tx inDoubt, Tx tx, IOException e) throws X {
        breakSession();
        if (inDoubt != null) outbox.failed(inDoubt.mail, new SmtpIOException(Step.END_OF_DATA, inDoubt.done, e));
        if (tx != null) outbox.failed(tx.mail, new SmtpIOException(tx.step, tx.done, e));
    }

    <X extends Exception> void fail(Outbox<X> outbox, Tx tx, IOException e) throws X {
        failBoth(outbox, null, tx, e);
    }

    /**
     * Records a reply to MAIL, RCPT or the final "."; true when positive. A 3xx there is a reply no
     * server may give: the session is not trusted further (and the message's fate follows its step).
     */
    boolean record(Tx tx, Step step, String argument, SmtpReply reply) throws SmtpProtocolException {
        tx.done.add(new Exchange(step, argument, reply));
        if (reply.isClosing()) breakSession();
        if (reply.code() / 100 == 3) throw new SmtpProtocolException(step + " was answered " + reply.code() + ", which the protocol does not allow there");
        return reply.isPositive();
    }

    /**
     * Records the reply to DATA: 354, or a refusal. Anything else (a 250, say) would otherwise read as
     * a delivery of content that was never sent.
     */
    static SmtpReply recordData(Tx tx, SmtpReply data) throws SmtpProtocolException {
        tx.done.add(new Exchange(Step.DATA, null, data));
        if (data.code() != 354 && data.code() < 400) {
            throw new SmtpProtocolException("DATA was answered " + data.code() + " instead of 354; the content was not sent");
        }
        return data;
    }

    String mailFrom(Mail mail) {
        if (mail.needsSmtpUtf8() && !extensions.has("SMTPUTF8")) {
            throw new IllegalStateException("a message needing SMTPUTF8 was handed to a session without it");
        }
        if (mail.dsn() != null && !extensions.has("DSN")) {
            throw new IllegalStateException("a message with DSN parameters was handed to a session whose server does not offer DSN");
        }
        StringBuilder p = new StringBuilder("MAIL FROM:<").append(mail.from()).append('>');
        if (mail.needsSmtpUtf8()) p.append(" SMTPUTF8");
        if (extensions.has("8BITMIME")) p.append(" BODY=8BITMIME");
        if (extensions.has("SIZE")) p.append(" SIZE=").append(mail.size());
        if (mail.dsn() != null) p.append(mail.dsn().mailParameters(mail.envid()));
        return p.toString();
    }

    /**
     * RCPT TO for one of the message's recipients, with its DSN parameters when it carries them. ORCPT is left out
     * where it would make the line longer than the 512 octets every server takes (an address of hundreds of
     * characters): it only helps read a report, and the ENVID still names the attempt.
     */
    static String rcptTo(Mail mail, String rcpt) {
        String plain = "RCPT TO:<" + rcpt + ">";
        if (mail.dsn() == null) return plain;
        String withNotify = plain + mail.dsn().notifyParameter();
        String withOrcpt = withNotify + mail.dsn().orcptParameter(rcpt);
        return withOrcpt.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= CommandWriter.COMMAND_OCTETS ? withOrcpt : withNotify;
    }

    void breakSession() {
        if (state != State.CLOSED) state = State.BROKEN;
        connection.close();
    }

    private void requireUsable() {
        if (!isUsable()) throw new IllegalStateException("session " + id + " is " + state);
    }
}
