package io.mailroom.smtp;

import java.io.IOException;
import java.util.List;

/**
 * The connection failed (I/O error, timeout) or the server broke the protocol (a malformed reply, a
 * reply no server may give there) at {@link #step()}.
 * Carries the exchanges completed before the failure so the attempt can still be recorded in full.
 * The session that threw it is broken.
 */
public final class SmtpIOException extends IOException {
    private final Step step;
    private final List<Exchange> completed;

    public SmtpIOException(Step step, List<Exchange> completed, IOException cause) {
        super((cause instanceof SmtpProtocolException ? "protocol error during " : "connection failed during ") + step + ": " + describe(cause), cause);
        this.step = step;
        this.completed = List.copyOf(completed);
    }

    public Step step() { return step; }

    public List<Exchange> completed() { return completed; }

    /** The server broke the protocol: the replies of this round can't be taken as verdicts. */
    public boolean isProtocolError() { return getCause() instanceof SmtpProtocolException; }

    private static String describe(IOException e) {
        return e.getMessage() == null ? "no reason given" : e.getMessage();
    }
}
