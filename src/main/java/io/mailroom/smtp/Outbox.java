package io.mailroom.smtp;

/**
 * What a session sends and where it reports: {@link SmtpSession#pump} asks for the next message just
 * before writing its first command, says when its content is about to go (the last moment to make the
 * attempt durable: from the final "." on, the server may have it), and reports each message exactly
 * once, as finished (every reply) or failed (the connection broke; the exception names the step).
 * {@code X} is the caller's own checked exception, passed through unchanged.
 */
public interface Outbox<X extends Exception> {
    /** The next message for this session, or null to stop for now. */
    Mail next() throws X;

    /** The server said 354: the content and the final "." of this message are written next. */
    void sending(Mail mail) throws X;

    void finished(Mail mail, Delivery delivery) throws X;

    void failed(Mail mail, SmtpIOException failure) throws X;
}
