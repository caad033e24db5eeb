package io.mailroom.job;

import io.mailroom.mime.OutgoingMessage;
import io.mailroom.smtp.Delivery;
import io.mailroom.smtp.Mail;
import io.mailroom.smtp.Outbox;
import io.mailroom.smtp.SmtpIOException;
import io.mailroom.smtp.SmtpSession;
import io.mailroom.smtp.SmtpSessionException;
import io.mailroom.smtp.UnsendableMessageException;
import io.mailroom.store.Outcome;
import io.mailroom.store.Recipient;
import io.mailroom.store.Attempts;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The send loop, as the session's {@link Outbox}: due recipients in row order, each rebuilt from its
 * snapshot; its attempt is written ahead (in flight) before its first command and is durable before its
 * content goes (pipelined, it shares a commit with the previous message's outcome); its outcome,
 * decided by {@link OutcomePolicy}, is committed the moment the session reports it. A 4xx or 5xx for one
 * recipient never stops the job; a session that broke is replaced and the loop carries on.
 */
final class Sender implements Outbox<SQLException> {
    private static final int BATCH = 200;

    private record InFlight(Recipient recipient, long attempt) { }

    private final Attempts attempts;
    private final long jobId;
    private final Composer composer;
    private final List<String> header;
    private final Sessions sessions;
    private final Clock clock;
    private final long runId;
    private final Stop stop;
    private final Pacing pacing;
    private final Random random;
    private Duration rateWait = Duration.ZERO;
    private String ended;
    private final ArrayDeque<Long> dueIds = new ArrayDeque<>();
    private final ArrayDeque<Recipient> queue = new ArrayDeque<>();
    private final Map<Mail, InFlight> inFlight = new IdentityHashMap<>();
    private SmtpSession session;
    private int limit;
    private int tried;
    private boolean drained;

    /**
     * When to hold back: retry limits, the job's rate limits, and the time this run must end by (null for none).
     * A rate-limit wait up to {@link #LONGEST_PAUSE} is waited out (with nothing in flight); a longer one, or one
     * past the deadline, ends the run.
     */
    record Pacing(RetryRules retry, RateLimit rate, Instant deadline, Pause pause) { }

    static final Duration LONGEST_PAUSE = Duration.ofMinutes(15);

    Sender(Attempts attempts, long jobId, Composer composer, List<String> header, Sessions sessions, Clock clock, long runId, Stop stop,
           Pacing pacing, Random random) {
        this.attempts = attempts;
        this.jobId = jobId;
        this.composer = composer;
        this.header = header;
        this.sessions = sessions;
        this.clock = clock;
        this.runId = runId;
        this.stop = stop;
        this.pacing = pacing;
        this.random = random;
    }

    /** Sends what is due, at most {@code limit} messages; returns how many were tried. */
    int sendDue(int limit) throws SQLException, SmtpSessionException, InterruptedException {
        this.limit = limit;
        while (tried < limit && !drained && !stop.requested() && ended == null) {
            if (queue.isEmpty() && !refill()) break;
            if (!rateWait.isZero() && !waitForRate()) break;
            session = sessions.acquire();
            session.pump(this);
            if (!inFlight.isEmpty()) throw new IllegalStateException(inFlight.size() + " message(s) were not reported by the session");
        }
        return tried;
    }

    /** Why the run ended before everything due was sent (a rate limit or the time bound), or null. */
    String ended() { return ended; }

    private boolean waitForRate() throws InterruptedException {
        Instant resume = clock.instant().plus(rateWait);
        if (rateWait.compareTo(LONGEST_PAUSE) > 0 || (pacing.deadline() != null && resume.isAfter(pacing.deadline()))) {
            ended = "rate limit (" + String.join(", ", pacing.rate().limits().stream().map(RateLimit.Limit::toKey).toList())
                    + ") reached; the next message may go at " + resume.truncatedTo(ChronoUnit.SECONDS);
            return false;
        }
        pacing.pause().sleep(rateWait);
        rateWait = Duration.ZERO;
        return true;
    }

    @Override
    public Mail next() throws SQLException {
        if (tried >= limit || sessions.isFull(session) || stop.requested()) return null;
        Instant now = clock.instant();
        if (pacing.deadline() != null && !now.isBefore(pacing.deadline())) {
            ended = "the run's time bound (" + pacing.deadline().truncatedTo(ChronoUnit.SECONDS) + ") was reached";
            return null;
        }
        rateWait = pacing.rate().waitAt(now);
        if (!rateWait.isZero()) return null;
        while (true) {
            Recipient r = queue.poll();
            if (r == null && (!refill() || (r = queue.poll()) == null)) {
                drained = true;
                return null;
            }
            Mail mail = mail(r);
            if (mail == null) continue;
            if (mail.needsSmtpUtf8() && !session.extensions().has("SMTPUTF8")) {
                attempts.markWithoutAttempt(r.id(), OutcomePolicy.needsSmtpUtf8(), clock.instant());
                continue;
            }
            long limitOfServer = session.extensions().sizeLimit();
            if (limitOfServer > 0 && mail.size() > limitOfServer) {
                attempts.markWithoutAttempt(r.id(), OutcomePolicy.tooLarge(mail.size(), limitOfServer), clock.instant());
                continue;
            }
            // committed with the previous outcome, or in sending() at the latest: before any content goes
            inFlight.put(mail, new InFlight(r, attempts.beginAttempt(r.id(), runId, session.id(), clock.instant())));
            pacing.rate().sentAt(clock.instant());
            tried++;
            return mail;
        }
    }

    @Override
    public void sending(Mail mail) throws SQLException {
        attempts.commit();
    }

    @Override
    public void finished(Mail mail, Delivery delivery) throws SQLException {
        InFlight f = take(mail);
        attempts.finishAttempt(f.attempt(), f.recipient().id(), limited(f, OutcomePolicy.afterDelivery(delivery, f.recipient().attempts(), clock.instant())),
                delivery.exchanges(), clock.instant());
        sessions.finishedOne();
    }

    @Override
    public void failed(Mail mail, SmtpIOException failure) throws SQLException {
        InFlight f = take(mail);
        attempts.finishAttempt(f.attempt(), f.recipient().id(), limited(f, OutcomePolicy.afterIoFailure(failure, f.recipient().attempts(), clock.instant())),
                failure.completed(), clock.instant());
    }

    private Outcome limited(InFlight f, Outcome o) {
        return OutcomePolicy.withRetryLimits(o, pacing.retry(), f.recipient().attempts() + 1, f.recipient().firstAttemptAt(), clock.instant(),
                (random.nextDouble() - 0.5) * 0.4);
    }

    /** The recipient's message, or null after marking it skipped when it cannot be built. */
    private Mail mail(Recipient r) throws SQLException {
        try {
            OutgoingMessage m = composer.compose(fields(r), r.messageId());
            return Mail.of(m.envelopeFrom(), m.recipients(), m.bytes());
        } catch (RowProblem | UnsendableMessageException p) {
            attempts.markWithoutAttempt(r.id(), OutcomePolicy.skipped(p.getMessage()), clock.instant());
            return null;
        }
    }

    /**
     * Loads the next batch of due recipients. The ids of all due recipients are read once per wave; when a
     * wave is done, a new one picks up what became due meanwhile (a retry due again within this run).
     */
    private boolean refill() throws SQLException {
        while (queue.isEmpty()) {
            if (dueIds.isEmpty()) {
                dueIds.addAll(attempts.dueIds(jobId, clock.instant()));
                if (dueIds.isEmpty()) return false;
            }
            List<Long> batch = new ArrayList<>();
            while (batch.size() < BATCH && !dueIds.isEmpty()) batch.add(dueIds.poll());
            queue.addAll(attempts.dueByIds(batch, clock.instant()));
        }
        return true;
    }

    private InFlight take(Mail mail) {
        InFlight f = inFlight.remove(mail);
        if (f == null) throw new IllegalStateException("the session reported a message twice or one it was not given");
        return f;
    }

    private Map<String, String> fields(Recipient r) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < header.size() && i < r.values().size(); i++) fields.put(header.get(i), r.values().get(i));
        return fields;
    }
}
