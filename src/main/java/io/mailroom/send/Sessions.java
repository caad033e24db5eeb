package io.mailroom.send;

import io.mailroom.smtp.SmtpClient;
import io.mailroom.smtp.SmtpSession;
import io.mailroom.smtp.SmtpSessionException;
import io.mailroom.smtp.Transcript;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Keeps one lane's SMTP session. Opened lazily (a run with nothing due connects to nothing) and
 * checked before lending: a session idle longer than {@code smtp.idle-probe} must answer NOOP first; one
 * that has carried {@code smtp.max-messages-per-session} messages is closed; a broken one is replaced.
 * Reconnecting waits 1, 2, 4 … seconds (at most 30) while the server keeps failing, and gives up after
 * {@link #CONNECT_TRIES} failed connections in a row. Only an unreachable server is tried again: a host name
 * that does not resolve, a refusal or a job-file problem would fail the same way, so they end at once.
 */
final class Sessions implements AutoCloseable {
    static final int CONNECT_TRIES = 4;
    private static final Duration FIRST_WAIT = Duration.ofSeconds(1);
    private static final Duration LONGEST_WAIT = Duration.ofSeconds(30);

    private final SmtpClient client;
    private final int maxPerSession;
    private final Duration idleProbe;
    /** Session ids, unique in the run across lanes. */
    private final Supplier<String> ids;
    private final Function<String, Transcript> transcripts;
    private final Clock clock;
    private final Pause pause;
    private SmtpSession current;
    private Instant lastUsed;
    private int opened;
    private int failuresInARow;
    private int finishedOnCurrent;

    Sessions(SmtpClient client, int maxPerSession, Duration idleProbe, Supplier<String> ids, Function<String, Transcript> transcripts,
             Clock clock, Pause pause) {
        this.client = client;
        this.maxPerSession = maxPerSession;
        this.idleProbe = idleProbe;
        this.ids = ids;
        this.transcripts = transcripts;
        this.clock = clock;
        this.pause = pause;
    }

    SmtpSession acquire() throws SmtpSessionException, InterruptedException {
        if (current != null && current.isUsable() && isFull(current)) current.quit();
        if (current != null && current.isUsable() && idleFor().compareTo(idleProbe) > 0 && !current.probe()) failuresInARow++;
        if (current != null && current.isUsable()) return current;
        if (current != null) {
            // a session that broke before carrying anything counts as a failure to connect
            if (finishedOnCurrent == 0) failuresInARow++;
            current.close();
            current = null;
        }
        while (true) {
            if (failuresInARow > 0) pause.sleep(backoff(failuresInARow));
            String id = ids.get();
            opened++;
            try {
                current = client.open(id, transcripts.apply(id));
                lastUsed = clock.instant();
                finishedOnCurrent = 0;
                return current;
            } catch (SmtpSessionException e) {
                failuresInARow++;
                if (e.kind() != SmtpSessionException.Kind.UNREACHABLE || failuresInARow >= CONNECT_TRIES) throw e;
            }
        }
    }

    /** True once the session has carried as many messages as the job allows per session. */
    boolean isFull(SmtpSession s) {
        return maxPerSession > 0 && s.transactions() >= maxPerSession;
    }

    /** How many more messages the session may carry. */
    int room(SmtpSession s) {
        return maxPerSession > 0 ? Math.max(0, maxPerSession - s.transactions()) : Integer.MAX_VALUE;
    }

    /** A message got its final reply: the server works, so a later reconnect starts without waiting. */
    void finishedOne() {
        lastUsed = clock.instant();
        finishedOnCurrent++;
        failuresInARow = 0;
    }

    int opened() { return opened; }

    private Duration idleFor() {
        return lastUsed == null ? Duration.ZERO : Duration.between(lastUsed, clock.instant());
    }

    static Duration backoff(int failures) {
        Duration d = FIRST_WAIT.multipliedBy(1L << Math.min(failures - 1, 10));
        return d.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : d;
    }

    @Override
    public void close() {
        if (current != null) current.quit();
        current = null;
    }
}
