package io.mailroom.smtp;

import java.util.List;

/**
 * What a session sends and where it reports: {@link SmtpSession#pump} asks for the next message before
 * writing its first command (pipelined, one round trip ahead), says when its final "." is about to go (the
 * last moment to make the attempt durable: from the "." on, the server may have it), and reports
 * each message exactly once: finished (every reply), failed (the connection broke; the exception names
 * the step), or unsent (taken but not one byte of it written, because the session ended first).
 * {@code X} is the caller's own checked exception, passed through unchanged.
 */
public interface Outbox<X extends Exception> {
    /** The next message for this session, or null to stop for now. */
    Mail next() throws X;

    /**
     * The server said 354 and this message's content has been handed to the connection (perhaps only
     * buffered); its final "." is written when this returns. The caller journals "dot about to be written"
     * here: a message whose "." never left cannot have been delivered, so it must not be marked in doubt.
     * Called once per message whose content was written: not without a 354, nor when writing the content
     * failed (that message is failed at {@link Step#CONTENT}). {@code replies}: the transaction's replies so
     * far (MAIL, each RCPT, DATA), which already decide the addresses the server refused.
     */
    void sending(Mail mail, List<Exchange> replies) throws X;

    void finished(Mail mail, Delivery delivery) throws X;

    void failed(Mail mail, SmtpIOException failure) throws X;

    /** The session ended before writing anything of this message: it was never attempted. */
    void unsent(Mail mail) throws X;
}
