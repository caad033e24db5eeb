package io.mailroom.smtp;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One authenticated SMTP session, reused for a whole job.
 * Lifecycle: (opened by {@link SmtpClient}) → pump: ([RSET] MAIL RCPT+ DATA content ".")* → quit.
 * With PIPELINING (RFC 2920) a message costs one round trip: its content and final "." leave together
 * with the next message's RSET, MAIL, RCPT and DATA, and the replies are matched in order; the message
 * after that is taken from the outbox while the server answers. Without it, every command waits for its
 * reply. Content is only sent after a 354 to DATA.
 * Negative replies are returned, never thrown. An I/O failure breaks the session for good and is
 * reported per message with its step: a message whose final "." was sent is in doubt (END_OF_DATA).
 * A 421 or a refused RSET also breaks it, and so does a reply no server may give at its step (a 3xx to
 * MAIL, RCPT or the final ".", anything but 354 or a refusal to DATA): a protocol error, reported like an
 * I/O failure. Using a broken session is a bug ({@link IllegalStateException}).
 */
public final class SmtpSession implements Closeable {
    private enum State { READY, NEEDS_RESET, BROKEN, CLOSED }

    private final String id;
    private final Connection connection;
    private final Extensions extensions;
    private final boolean pipelining;
    private State state = State.READY;
    private int transactions;

    SmtpSession(String id, Connection connection, Extensions extensions) {
        this.id = id;
        this.connection = connection;
        this.extensions = extensions;
        this.pipelining = extensions.has("PIPELINING");
    }

    public String id() { return id; }

    public Extensions extensions() { return extensions; }

    /** Mail transactions started on this session. */
    public int transactions() { return transactions; }

    /** False once the session is broken or closed: it must not carry another message. */
    public boolean isUsable() { return state == State.READY || state == State.NEEDS_RESET; }

    /** A message in progress: what was sent and every reply so far. */
    private static final class Tx {
        final Mail mail;
        final List<Exchange> done = new ArrayList<>();
        Step step = Step.MAIL;

        Tx(Mail mail) { this.mail = mail; }

        /** A transaction for {@code mail}, or null when the outbox had none. */
        static Tx of(Mail mail) { return mail == null ? null : new Tx(mail); }
    }

    /** Sends what the outbox hands out until it hands out null or the session breaks. */
    public <X extends Exception> void pump(Outbox<X> outbox) throws X {
        requireUsable();
        if (pipelining) pumpPipelined(outbox);
        else pumpLockStep(outbox);
    }

    /**
     * Each round writes the previous message's content and "." with this message's envelope, then takes
     * the next message from the outbox while the server works, then reads the replies: building and
     * recording the next message costs no round trip. The reply read for a "." is only believed once the
     * replies after it in the same round make sense: a server that skipped it would otherwise have its
     * reply to RSET taken for the verdict on the message.
     */
    private <X extends Exception> void pumpPipelined(Outbox<X> outbox) throws X {
        Tx inDoubt = null;
        Tx tx = Tx.of(outbox.next());
        while (true) {
            boolean reset = tx != null && state == State.NEEDS_RESET;
            try {
                if (tx != null) {
                    connection.requireNothingUnasked();
                    if (reset) connection.queue("RSET");
                    queueEnvelope(tx);
                }
                connection.flush(Step.MAIL);
            } catch (IOException e) {
                failBoth(outbox, inDoubt, tx, e);
                return;
            }
            Mail following = tx == null ? null : outbox.next();
            Tx answered = null;
            if (inDoubt != null) {
                Tx finishing = inDoubt;
                inDoubt = null;
                try {
                    record(finishing, Step.END_OF_DATA, null, connection.read(Step.END_OF_DATA));
                } catch (IOException e) {
                    failBoth(outbox, finishing, tx, e);
                    giveBack(outbox, following);
                    return;
                }
                answered = finishing;
            }
            if (tx == null) {
                finished(outbox, answered);
                return;
            }
            try {
                if (reset && !connection.read(Step.RSET).isPositive()) throw new IOException("RSET refused; the session is no longer trusted");
                tx.step = Step.MAIL;
                boolean mailAccepted = record(tx, Step.MAIL, tx.mail.from(), connection.read(Step.MAIL));
                tx.step = Step.RCPT;
                boolean anyAccepted = false;
                for (String rcpt : tx.mail.recipients()) anyAccepted |= record(tx, Step.RCPT, rcpt, connection.read(Step.RCPT));
                tx.step = Step.DATA;
                SmtpReply data = recordData(tx, connection.read(Step.DATA));
                if (data.code() == 354 && !mailAccepted) throw new SmtpProtocolException("DATA was answered 354 although MAIL FROM was refused");
                if (data.code() == 354 && anyAccepted && state != State.BROKEN) {
                    finished(outbox, answered);
                    answered = null;
                    outbox.sending(tx.mail);
                    writeContent(tx);
                    inDoubt = tx;
                    tx = Tx.of(following);
                    continue;
                }
                if (data.code() == 354) endEmptyData(tx);
                if (data.isClosing()) breakSession();
            } catch (IOException e) {
                if (answered != null && e instanceof SmtpProtocolException) {
                    outbox.failed(answered.mail, new SmtpIOException(Step.END_OF_DATA, answered.done, new SmtpProtocolException(
                            "the replies after the one to the final \".\" broke the protocol (" + e.getMessage() + "), so that one cannot be trusted")));
                } else {
                    finished(outbox, answered);
                }
                fail(outbox, tx, e);
                giveBack(outbox, following);
                return;
            }
            finished(outbox, answered);
            outbox.finished(tx.mail, new Delivery(tx.done));
            if (state == State.BROKEN) {
                giveBack(outbox, following);
                return;
            }
            tx = Tx.of(following);
        }
    }

    /** Reports a message whose "." was answered (null: none this round). */
    private static <X extends Exception> void finished(Outbox<X> outbox, Tx answered) throws X {
        if (answered != null) outbox.finished(answered.mail, new Delivery(answered.done));
    }

    private static <X extends Exception> void giveBack(Outbox<X> outbox, Mail mail) throws X {
        if (mail != null) outbox.unsent(mail);
    }

    private <X extends Exception> void pumpLockStep(Outbox<X> outbox) throws X {
        while (true) {
            Mail mail = outbox.next();
            if (mail == null) return;
            Tx tx = new Tx(mail);
            try {
                if (state == State.NEEDS_RESET) reset();
                transactions++;
                state = State.NEEDS_RESET;
                send(tx, outbox);
            } catch (IOException e) {
                fail(outbox, tx, e);
                return;
            }
            outbox.finished(tx.mail, new Delivery(tx.done));
            if (state == State.BROKEN) return;
        }
    }

    private <X extends Exception> void send(Tx tx, Outbox<X> outbox) throws IOException, X {
        tx.step = Step.MAIL;
        if (!record(tx, Step.MAIL, tx.mail.from(), connection.command(Step.MAIL, mailFrom(tx.mail)))) return;
        tx.step = Step.RCPT;
        boolean anyAccepted = false;
        for (String rcpt : tx.mail.recipients()) {
            anyAccepted |= record(tx, Step.RCPT, rcpt, connection.command(Step.RCPT, "RCPT TO:<" + rcpt + ">"));
            if (state == State.BROKEN) return;
        }
        if (!anyAccepted) return;
        tx.step = Step.DATA;
        SmtpReply data = recordData(tx, connection.command(Step.DATA, "DATA"));
        if (data.isClosing()) breakSession();
        if (data.code() != 354) return;
        outbox.sending(tx.mail);
        writeContent(tx);
        connection.flush(Step.END_OF_DATA);
        record(tx, Step.END_OF_DATA, null, connection.read(Step.END_OF_DATA));
    }

    private void queueEnvelope(Tx tx) throws IOException {
        transactions++;
        state = State.NEEDS_RESET;
        connection.queue(mailFrom(tx.mail));
        for (String rcpt : tx.mail.recipients()) connection.queue("RCPT TO:<" + rcpt + ">");
        connection.queue("DATA");
    }

    /**
     * Writes the content, then the final "."; a failure while writing the "." leaves the message in doubt.
     * Nothing may be waiting after the 354: it would be read as the verdict on this message.
     */
    private void writeContent(Tx tx) throws IOException {
        connection.requireNothingUnasked();
        byte[] data = tx.mail.data();
        int dot = data.length - 3;
        tx.step = Step.CONTENT;
        connection.writeRaw(Step.CONTENT, data, 0, dot);
        tx.step = Step.END_OF_DATA;
        connection.writeRaw(Step.END_OF_DATA, data, dot, 3);
    }

    /**
     * A server that says 354 although no recipient was accepted gets a lone "." (RFC 2920 section 3.1), never
     * the content. The refused RCPTs decide the message: no reply to that ".", or an impossible one, only
     * breaks the session; the message is not in doubt, as nobody could have received it.
     */
    private void endEmptyData(Tx tx) {
        try {
            connection.queue(".");
            connection.flush(Step.END_OF_DATA);
            record(tx, Step.END_OF_DATA, null, connection.read(Step.END_OF_DATA));
        } catch (IOException e) {
            breakSession();
        }
    }

    /** NOOP: proves an idle session still answers. Returns false (and breaks it) when it doesn't. */
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
    private void reset() throws IOException {
        if (!connection.command(Step.RSET, "RSET").isPositive()) throw new IOException("RSET refused; the session is no longer trusted");
        state = State.READY;
    }

    /** Says QUIT when the session is still sound, then closes the connection. Never throws. */
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

    private <X extends Exception> void failBoth(Outbox<X> outbox, Tx inDoubt, Tx tx, IOException e) throws X {
        breakSession();
        if (inDoubt != null) outbox.failed(inDoubt.mail, new SmtpIOException(Step.END_OF_DATA, inDoubt.done, e));
        if (tx != null) outbox.failed(tx.mail, new SmtpIOException(tx.step, tx.done, e));
    }

    private <X extends Exception> void fail(Outbox<X> outbox, Tx tx, IOException e) throws X {
        failBoth(outbox, null, tx, e);
    }

    /**
     * Records a reply to MAIL, RCPT or the final "."; true when positive. A 3xx there is a reply no
     * server may give: the session is not trusted further (and the message's fate follows its step).
     */
    private boolean record(Tx tx, Step step, String argument, SmtpReply reply) throws SmtpProtocolException {
        tx.done.add(new Exchange(step, argument, reply));
        if (reply.isClosing()) breakSession();
        if (reply.code() / 100 == 3) throw new SmtpProtocolException(step + " was answered " + reply.code() + ", which the protocol does not allow there");
        return reply.isPositive();
    }

    /**
     * Records the reply to DATA: 354, or a refusal. Anything else (a 250, say) would otherwise read as
     * a delivery of content that was never sent.
     */
    private static SmtpReply recordData(Tx tx, SmtpReply data) throws SmtpProtocolException {
        tx.done.add(new Exchange(Step.DATA, null, data));
        if (data.code() != 354 && data.code() < 400) {
            throw new SmtpProtocolException("DATA was answered " + data.code() + " instead of 354; the content was not sent");
        }
        return data;
    }

    private String mailFrom(Mail mail) {
        if (mail.needsSmtpUtf8() && !extensions.has("SMTPUTF8")) {
            throw new IllegalStateException("a message needing SMTPUTF8 was handed to a session without it");
        }
        StringBuilder p = new StringBuilder("MAIL FROM:<").append(mail.from()).append('>');
        if (mail.needsSmtpUtf8()) p.append(" SMTPUTF8");
        if (extensions.has("8BITMIME")) p.append(" BODY=8BITMIME");
        if (extensions.has("SIZE")) p.append(" SIZE=").append(mail.size());
        return p.toString();
    }

    private void breakSession() {
        if (state != State.CLOSED) state = State.BROKEN;
        connection.close();
    }

    private void requireUsable() {
        if (!isUsable()) throw new IllegalStateException("session " + id + " is " + state);
    }
}
