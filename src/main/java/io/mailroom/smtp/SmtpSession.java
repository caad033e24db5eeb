package io.mailroom.smtp;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One authenticated SMTP session, reused for a whole job.
 * Lifecycle: (opened by {@link SmtpClient}) READY → send → NEEDS_RESET → reset (RSET) → READY … → quit.
 * Negative replies are returned, never thrown. An I/O failure throws {@link SmtpIOException} naming the
 * step and breaks the session for good; after the final "." the message may have been accepted (the
 * caller's status is then unknown). A 421 or a refused RSET also breaks it: a broken session carries no
 * more messages and the caller opens a fresh one. Using a session in the wrong state is a bug
 * ({@link IllegalStateException}), never bytes on the wire.
 */
public final class SmtpSession implements Closeable {
    private enum State { READY, NEEDS_RESET, BROKEN, CLOSED }

    private final String id;
    private final Connection connection;
    private final Extensions extensions;
    private State state = State.READY;
    private int transactions;

    SmtpSession(String id, Connection connection, Extensions extensions) {
        this.id = id;
        this.connection = connection;
        this.extensions = extensions;
    }

    public String id() { return id; }

    public Extensions extensions() { return extensions; }

    /** True after a transaction, until {@link #reset()} proves the session still good. */
    public boolean needsReset() { return state == State.NEEDS_RESET; }

    /** Mail transactions started on this session. */
    public int transactions() { return transactions; }

    /** False once the session is broken or closed: it must not carry another message. */
    public boolean isUsable() { return state == State.READY || state == State.NEEDS_RESET; }

    /**
     * Sends one message: MAIL FROM, RCPT TO for each address, DATA unless every address was refused.
     * Validates the whole envelope and content before the first byte is written.
     */
    public Delivery send(String from, List<String> recipients, byte[] content)
            throws SmtpIOException, UnsendableMessageException {
        requireState(State.READY);
        if (recipients.isEmpty()) throw new IllegalArgumentException("a message needs at least one recipient");
        Addresses.requireSendable(from, true);
        for (String r : recipients) Addresses.requireSendable(r, false);
        byte[] data = DataWriter.encode(content);

        transactions++;
        state = State.NEEDS_RESET;
        List<Exchange> done = new ArrayList<>();
        Step step = Step.MAIL;
        try {
            SmtpReply mail = connection.command(step, "MAIL FROM:<" + from + ">" + mailParameters(data.length));
            if (!record(done, step, from, mail)) return new Delivery(done);
            boolean anyAccepted = false;
            step = Step.RCPT;
            for (String rcpt : recipients) {
                anyAccepted |= record(done, step, rcpt, connection.command(step, "RCPT TO:<" + rcpt + ">"));
                if (state == State.BROKEN) return new Delivery(done);
            }
            if (!anyAccepted) return new Delivery(done);
            step = Step.DATA;
            SmtpReply dataReply = connection.command(step, "DATA");
            done.add(new Exchange(step, null, dataReply));
            if (dataReply.code() != 354) {
                if (dataReply.isClosing()) breakSession();
                return new Delivery(done);
            }
            step = Step.CONTENT;
            int dot = data.length - 3;
            connection.writeRaw(step, data, 0, dot);
            step = Step.END_OF_DATA;
            connection.writeRaw(step, data, dot, 3);
            record(done, step, null, connection.read(step));
            return new Delivery(done);
        } catch (IOException e) {
            breakSession();
            throw new SmtpIOException(step, done, e);
        }
    }

    /** RSET between messages: proves the session still works. Returns the reply; anything but 2xx breaks it. */
    public SmtpReply reset() throws SmtpIOException {
        if (state == State.BROKEN || state == State.CLOSED) throw new IllegalStateException("session " + id + " is " + state);
        try {
            SmtpReply reply = connection.command(Step.RSET, "RSET");
            if (reply.isPositive()) {
                state = State.READY;
            } else {
                breakSession();
            }
            return reply;
        } catch (IOException e) {
            breakSession();
            throw new SmtpIOException(Step.RSET, List.of(), e);
        }
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

    private boolean record(List<Exchange> done, Step step, String argument, SmtpReply reply) {
        done.add(new Exchange(step, argument, reply));
        if (reply.isClosing()) breakSession();
        return reply.isPositive();
    }

    private String mailParameters(int size) {
        StringBuilder p = new StringBuilder();
        if (extensions.has("8BITMIME")) p.append(" BODY=8BITMIME");
        if (extensions.has("SIZE")) p.append(" SIZE=").append(size);
        return p.toString();
    }

    private void breakSession() {
        state = State.BROKEN;
        connection.close();
    }

    private void requireState(State expected) {
        if (state != expected) throw new IllegalStateException("session " + id + " is " + state + ", expected " + expected);
    }
}
