package io.mailroom.job;

import io.mailroom.job.ComposeAhead.Composed;
import io.mailroom.mime.Envelope;
import io.mailroom.mime.OutgoingMessage;
import io.mailroom.smtp.Delivery;
import io.mailroom.smtp.Mail;
import io.mailroom.smtp.Outbox;
import io.mailroom.smtp.SmtpIOException;
import io.mailroom.smtp.SmtpSession;
import io.mailroom.smtp.SmtpSessionException;
import io.mailroom.smtp.UnsendableMessageException;
import io.mailroom.store.Address;
import io.mailroom.store.Outcome;
import io.mailroom.store.RecipientStatus;
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
import java.util.function.LongSupplier;

/**
 * The send loop, as the session's {@link Outbox}: due recipients in row order, each rebuilt from its
 * snapshot (on a thread of its own, a few messages ahead: {@link ComposeAhead}). Attempts are written
 * ahead (in flight) and committed before the message is handed to the
 * session, a few at a time when the relay is fast ({@link WriteAhead}); outcomes, decided by
 * {@link OutcomePolicy}, go into the same commits, and any left are committed when the session stops
 * asking. A message written ahead but never handed out loses its attempt again. A 4xx or 5xx for one
 * recipient never stops the job; a session that broke is replaced and the loop carries on.
 */
final class Sender implements Outbox<SQLException>, AutoCloseable {
    private static final int BATCH = 200;

    /** A message handed out or about to be: its row, its attempt, and the addresses it carries (the RCPTs, in order). */
    private record InFlight(Recipient recipient, long attempt, Mail mail, List<Address> carried) { }

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
    private final LongSupplier nanoTime;
    private final WriteAhead writeAhead;
    private Duration rateWait = Duration.ZERO;
    private String ended;
    private final ArrayDeque<Long> dueIds = new ArrayDeque<>();
    private final ComposeAhead queue;
    /** Written ahead and committed, not yet handed to the session. */
    private final ArrayDeque<InFlight> ahead = new ArrayDeque<>();
    /** Handed to the session, not yet reported. */
    private final Map<Mail, InFlight> inFlight = new IdentityHashMap<>();
    private SmtpSession session;
    private int limit;
    private int tried;
    private boolean drained;
    private long cycleStart = -1;
    private long lastCommitNanos;
    private int lastBatch;

    /**
     * When to hold back: retry limits, the job's rate limits, and the time this run must end by (null for none).
     * A rate-limit wait up to {@link #LONGEST_PAUSE} is waited out (with nothing in flight); a longer one, or one
     * past the deadline, ends the run.
     */
    record Pacing(RetryRules retry, RateLimit rate, Instant deadline, Pause pause) { }

    static final Duration LONGEST_PAUSE = Duration.ofMinutes(15);

    Sender(Attempts attempts, long jobId, Composer composer, List<String> header, Sessions sessions, Clock clock, long runId, Stop stop,
           Pacing pacing, Random random, WriteAhead writeAhead, LongSupplier nanoTime) {
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
        this.writeAhead = writeAhead;
        this.nanoTime = nanoTime;
        // a message waiting for a rate limit would carry a Date from before the wait
        this.queue = ComposeAhead.onWorkerThread(this::compose, pacing.rate().limits().isEmpty() ? ComposeAhead.DEPTH : 0);
    }

    /** Sends what is due, at most {@code limit} messages; returns how many were tried. */
    int sendDue(int limit) throws SQLException, SmtpSessionException, InterruptedException {
        this.limit = limit;
        completeEnvelopes();
        while (tried < limit && !drained && !stop.requested() && ended == null) {
            if (queue.isEmpty() && !refill()) break;
            if (!rateWait.isZero() && !waitForRate()) break;
            session = sessions.acquire();
            try {
                session.pump(this);
            } catch (SQLException | RuntimeException e) {
                abandon(e);
                throw e;
            }
            if (!inFlight.isEmpty()) throw new IllegalStateException(inFlight.size() + " message(s) were not reported by the session");
            putBack();
        }
        return tried;
    }

    /**
     * A row planned before addresses were stored knows only its To addresses: its Cc and Bcc come from its
     * snapshot, rendered as it will be sent, before anything goes. A row that no longer renders is skipped.
     */
    private void completeEnvelopes() throws SQLException {
        for (Recipient r : attempts.incompleteEnvelopes(jobId)) {
            try {
                Envelope e = composer.check(fields(r)).envelope();
                attempts.completeEnvelope(r, e.addresses().stream().map(a -> new String[] {a.kind(), a.address()}).toList());
            } catch (RowProblem p) {
                attempts.skip(r.id(), p.getMessage(), clock.instant());
            }
        }
        attempts.commit();
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
        if (ahead.isEmpty() && !writeAhead()) return null;
        InFlight f = ahead.poll();
        inFlight.put(f.mail(), f);
        pacing.rate().sentAt(now);
        tried++;
        return f.mail();
    }

    /**
     * Builds the next messages, writes their attempts ahead and commits them with the outcomes recorded
     * since the last commit. False when nothing is due.
     */
    private boolean writeAhead() throws SQLException {
        long start = nanoTime.getAsLong();
        if (cycleStart >= 0) writeAhead.measured(lastCommitNanos, lastBatch, start - cycleStart - lastCommitNanos);
        int size = pacing.rate().limits().isEmpty() ? Math.min(writeAhead.size(), limit - tried) : 1;
        int room = sessions.room(session);
        while (ahead.size() < Math.min(size, room)) {
            Composed c = queue.next();
            if (c == null && (!refill() || (c = queue.next()) == null)) break;
            Recipient r = c.recipient();
            if (c.problem() != null) {
                attempts.skip(r.id(), c.problem(), clock.instant());
                continue;
            }
            Mail mail = c.mail();
            if (mail.needsSmtpUtf8() && !session.extensions().has("SMTPUTF8")) {
                attempts.skip(r.id(), OutcomePolicy.NEEDS_SMTPUTF8, clock.instant());
                continue;
            }
            long limitOfServer = session.extensions().sizeLimit();
            if (limitOfServer > 0 && mail.size() > limitOfServer) {
                attempts.markWithoutAttempt(r.id(), seqs(carried(r, mail)), OutcomePolicy.tooLarge(mail.size(), limitOfServer), clock.instant());
                continue;
            }
            List<Address> carried = carried(r, mail);
            ahead.add(new InFlight(r, attempts.beginAttempt(r.id(), runId, session.id(), seqs(carried), clock.instant()), mail, carried));
        }
        long commit = nanoTime.getAsLong();
        attempts.commit();
        cycleStart = start;
        lastCommitNanos = nanoTime.getAsLong() - commit;
        lastBatch = ahead.size();
        // nothing due now and nothing in flight that could come back due (an in-run retry)
        drained = ahead.isEmpty() && inFlight.isEmpty();
        return !ahead.isEmpty();
    }

    /** Nothing to do: every message was written ahead and committed before it was handed out. */
    @Override
    public void sending(Mail mail) { }

    @Override
    public void finished(Mail mail, Delivery delivery) throws SQLException {
        InFlight f = take(mail);
        attempts.finishAttempt(f.attempt(), f.recipient(), limited(f, OutcomePolicy.afterDelivery(delivery, f.carried(), clock.instant())),
                delivery.exchanges(), clock.instant());
        sessions.finishedOne();
    }

    @Override
    public void failed(Mail mail, SmtpIOException failure) throws SQLException {
        InFlight f = take(mail);
        attempts.finishAttempt(f.attempt(), f.recipient(), limited(f, OutcomePolicy.afterIoFailure(failure, f.carried(), clock.instant())),
                failure.completed(), clock.instant());
    }

    /**
     * After a pump: what was written ahead but never handed out loses its attempt and goes back to the
     * front of the queue, and the outcomes recorded since the last commit are committed.
     */
    private void putBack() throws SQLException {
        while (!ahead.isEmpty()) {
            InFlight f = ahead.pollLast();
            attempts.cancelAttempt(f.attempt());
            queue.putBack(new Composed(f.recipient(), f.mail(), null));
        }
        attempts.commit();
        cycleStart = -1;
    }

    /** The store failed or a bug surfaced mid-pump: keep what is committed, release what was written ahead if possible. */
    private void abandon(Exception e) {
        try {
            attempts.rollback();
            inFlight.clear();
            putBack();
        } catch (SQLException | RuntimeException again) {
            e.addSuppressed(again);
        }
    }

    /** Handed out, but the session ended before writing any of it: back to the front of what is written ahead. */
    @Override
    public void unsent(Mail mail) {
        ahead.addFirst(take(mail));
        tried--;
    }

    /** Each address's outcome within the retry limits; one jitter for the attempt, so its deferred addresses come back together. */
    private Map<Integer, Outcome> limited(InFlight f, Map<Integer, Outcome> outcomes) {
        double jitter = (random.nextDouble() - 0.5) * 0.4;
        Map<Integer, Outcome> out = new LinkedHashMap<>();
        for (Address a : f.carried()) {
            out.put(a.seq(), OutcomePolicy.withRetryLimits(outcomes.get(a.seq()), pacing.retry(), a.attempts() + 1, a.firstAttemptAt(),
                    clock.instant(), jitter));
        }
        return out;
    }

    /** The addresses of {@code r} still due at {@code now}: pending, or deferred and past their wait. The rest never go again. */
    private static List<Address> due(Recipient r, Instant now) {
        return r.addresses().stream().filter(a -> a.status() == RecipientStatus.PENDING
                || a.status() == RecipientStatus.DEFERRED && (a.notBefore() == null || !a.notBefore().isAfter(now))).toList();
    }

    /** The addresses a composed message carries, in RCPT order: its RCPTs among those not yet decided (a row may repeat one). */
    private static List<Address> carried(Recipient r, Mail mail) {
        return r.addresses().stream().filter(a -> (a.status() == RecipientStatus.PENDING || a.status() == RecipientStatus.DEFERRED)
                && mail.recipients().contains(a.address())).toList();
    }

    private static List<Integer> seqs(List<Address> addresses) {
        return addresses.stream().map(Address::seq).toList();
    }

    /** The recipient's message, or why it cannot be built (the row is then skipped). Runs on the composing thread. */
    private Composed compose(Recipient r) {
        try {
            OutgoingMessage m = composer.compose(fields(r), r.messageId());
            // the same content every time (its headers name the original To and Cc); only the addresses still due are RCPTs
            List<String> rcpts = due(r, clock.instant()).stream().map(Address::address).toList();
            if (rcpts.isEmpty()) throw new IllegalStateException("row " + r.row() + " is due but none of its addresses is");
            return new Composed(r, Mail.of(m.envelopeFrom(), rcpts, m.bytes()), null);
        } catch (RowProblem | UnsendableMessageException p) {
            return new Composed(r, null, p.getMessage());
        }
    }

    /** Stops the composing thread. */
    @Override
    public void close() {
        queue.close();
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
