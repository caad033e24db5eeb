package io.mailroom.smtp;

/**
 * What a session sends and where it reports: {@link SmtpSession#pump} asks for the next message just
 * before writing its first command (so the caller can record the attempt ahead of it) and reports each
 * message exactly once, as finished (every reply) or failed (the connection broke; the exception names
 * the step). {@code X} is the caller's own checked exception, passed through unchanged.
 */
public interface Outbox<X extends Exception> {
    /** The next message for this session, or null to stop for now. */
    Mail next() throws X;

    void finished(Mail mail, Delivery delivery) throws X;

    void failed(Mail mail, SmtpIOException failure) throws X;
}
