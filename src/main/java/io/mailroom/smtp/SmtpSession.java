package io.mailroom.smtp;

import java.io.Closeable;

/**
 * One authenticated SMTP session, reused for a whole job.
 * Lifecycle: (opened by {@link SmtpClient}) → pump: ([RSET] MAIL RCPT+ DATA content ".")* → quit.
 * {@link SmtpClient} picks the engine from EHLO: with PIPELINING (RFC 2920) a message costs one round trip
 * ({@code PipelinedSession}); without it every command waits for its reply ({@code LockStepSession}).
 * Content is only sent after a 354 to DATA.
 * Negative replies are returned, never thrown. An I/O failure breaks the session for good and is
 * reported per message with its step: a message whose final "." was sent is in doubt (END_OF_DATA).
 * A 421 or a refused RSET also breaks it, and so does a reply no server may give at its step (a 3xx to
 * MAIL, RCPT or the final ".", anything but 354 or a refusal to DATA): a protocol error, reported like an
 * I/O failure. Using a broken session is a bug ({@link IllegalStateException}).
 */
public interface SmtpSession extends Closeable {
    String id();

    Extensions extensions();

    /** Mail transactions started on this session. */
    int transactions();

    /** False once the session is broken or closed: it must not carry another message. */
    boolean isUsable();

    /** Sends what the outbox hands out until it hands out null or the session breaks. */
    <X extends Exception> void pump(Outbox<X> outbox) throws X;

    /** NOOP: proves an idle session still answers. Returns false (and breaks it) when it doesn't. */
    boolean probe();

    /** Says QUIT when the session is still sound, then closes the connection. Never throws. */
    void quit();

    /** Closes the connection without a word. Never throws. */
    @Override
    void close();
}
