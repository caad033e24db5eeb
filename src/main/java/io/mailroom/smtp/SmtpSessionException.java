package io.mailroom.smtp;

/**
 * A session could not be opened: the server could not be reached ({@link Kind#UNREACHABLE}, worth another
 * try), its name does not resolve ({@link Kind#HOST_NOT_FOUND}), it refused us (greeting, EHLO, STARTTLS,
 * its certificate), rejected our credentials ({@link Kind#AUTH_REJECTED}), or the job forbids or lacks
 * what the server needs ({@link Kind#POLICY}: fixed in the job file). Never carries a password.
 */
public final class SmtpSessionException extends Exception {
    public enum Kind { UNREACHABLE, HOST_NOT_FOUND, REFUSED, AUTH_REJECTED, POLICY }

    private final Kind kind;
    private final SmtpReply reply;

    public SmtpSessionException(Kind kind, String message, SmtpReply reply, Throwable cause) {
        super(message + (reply == null ? "" : " (server said: " + reply + ")"), cause);
        this.kind = kind;
        this.reply = reply;
    }

    public Kind kind() { return kind; }

    /** The server's reply that refused us, or null for a network failure or a local policy. */
    public SmtpReply reply() { return reply; }
}
