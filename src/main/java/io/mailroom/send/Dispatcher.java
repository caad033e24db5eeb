package io.mailroom.send;

import io.mailroom.mime.OutgoingMessage;
import io.mailroom.send.ComposeAhead.Composed;
import io.mailroom.smtp.Mail;
import io.mailroom.smtp.SmtpSession;
import io.mailroom.smtp.UnsendableMessageException;
import io.mailroom.store.Address;
import io.mailroom.store.Attempts;
import io.mailroom.store.Claims;
import io.mailroom.store.Recipient;
import io.mailroom.store.RecipientStatus;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The one due queue all lanes take from: the job's due recipients in row order, a page at a time, each
 * message composed ahead ({@link ComposeAhead}); the job's rate limits, the run's time bound and message
 * limit, and stop requests apply here, to all sessions together. A row is in one lane's hands at a time.
 * When a pass over the job is done and nothing is in a lane's hands any more, another pass picks up what
 * became due meanwhile (an in-run retry); one that finds nothing ends the run.
 */
final class Dispatcher implements AutoCloseable {
    private static final int PAGE = 200;
    /** A worker claims a few rows at a time, so that the others find work too. */
    private static final int PAGE_CLAIMED = 16;
    /** What a pipelined session has in hand at once: the message being answered and the next one. */
    private static final int IN_HAND_PER_SESSION = 2;

    /** How often a worker with nothing to claim looks again while other workers hold what is left. */
    static final Duration OTHERS_POLL = Duration.ofMillis(250);

    /** A rate-limit wait up to this is waited out; a longer one, or one past the time bound, ends the run. */
    static final Duration LONGEST_PAUSE = Duration.ofMinutes(15);

    private final Attempts store;
    private final long jobId;
    private final Messages messages;
    private final Recorder recorder;
    private final Clock clock;
    private final Pause pause;
    private final Stop stop;
    private final RateLimit rate;
    private final Progress progress;
    /** What each attempt's envelope carries besides the message's own (a VERP return path, DSN parameters). */
    private final Envelopes envelopes;
    /** The run's pace once a server asked it to slow down. */
    private final Pace pace = new Pace();
    private final Instant deadline;
    private final int limit;
    private final ComposeAhead queue;
    private final Arrivals arrivals;
    /** This worker's claims when several share the job: rows come from claiming, not from walking the job; null for the only sender. */
    private final Claims claims;
    /** Settles what workers that are gone left (their journals on this machine, their rows once their lease has passed). */
    private final Settle settleGone;
    private final int claimSize;
    /** The last claim found nothing, while other workers hold rows still due: wait for them, or for their leases to pass. */
    private boolean othersHold;
    /** Planning batches seen when the last pending page came back empty while planning went on; -1 when not waiting for one. */
    private long awaitingBatch = -1;
    /** Where the current pass is: the status it walks (pending, then deferred), and the last row and id taken; null between passes. */
    private RecipientStatus phase;
    private int lastRow;
    private long lastId;
    private boolean passFoundAny;
    private int tried;
    private int inHand;
    /** Lanes let in to pump, each with a session open (or opening). */
    private int lanesIn;
    private boolean drained;
    private boolean pausing;
    /** A lane failed, or planning did: the run ends with that failure, which the caller reports. */
    private boolean aborted;
    private String ended;

    Dispatcher(Attempts store, long jobId, Messages messages, Arrivals arrivals, Recorder recorder, Clock clock, Pause pause, Stop stop,
               RateLimit rate, Instant deadline, int limit, int lanes, Claims claims, Settle settleGone, Envelopes envelopes, Progress progress) {
        this.envelopes = envelopes;
        this.progress = progress;
        this.claims = claims;
        this.settleGone = settleGone;
        this.claimSize = Math.max(PAGE_CLAIMED, 2 * IN_HAND_PER_SESSION * lanes);
        this.arrivals = arrivals;
        this.store = store;
        this.jobId = jobId;
        this.messages = messages;
        this.recorder = recorder;
        this.clock = clock;
        this.pause = pause;
        this.stop = stop;
        this.rate = rate;
        this.deadline = deadline;
        this.limit = limit;
        // a message waiting for a rate limit would carry a Date from before the wait
        this.queue = ComposeAhead.onWorkerThread(this::compose, rate.limits().isEmpty() ? ComposeAhead.DEPTH * lanes : 0);
    }

    /**
     * Whether a lane should (go on) pumping: true when something is due; false when the run is over (nothing
     * due and nothing in hand, the limit, the time bound, a stop). Waits while other lanes hold messages that
     * may come back due, and waits out a short rate-limit wait (one lane sleeps, the others wait for it).
     * A lane not yet {@code admitted} (it has no session) is let in only for more than the lanes already in
     * can hold, so a job with two messages due opens one connection, not {@code smtp.connections}.
     */
    boolean ready(boolean admitted) throws Exception {
        while (true) {
            Duration sleep = null;
            long batch = -1;
            synchronized (this) {
                if (over()) return false;
                if (pausing) {
                    wait();
                    continue;
                }
                if (queue.isEmpty() && !refill()) {
                    if (awaitingBatch < 0 && inHand == 0 && !othersHold) {
                        drained = true;
                        notifyAll();
                        return false;
                    }
                    if (awaitingBatch < 0 && inHand > 0) {
                        wait();
                        continue;
                    }
                    if (awaitingBatch >= 0) {
                        batch = awaitingBatch;
                        awaitingBatch = -1;
                    } else {
                        // the job is not done while other workers hold rows: this one ends with the job, and takes over from one that dies
                        othersHold = false;
                        sleep = OTHERS_POLL;
                        pausing = true;
                    }
                } else {
                    sleep = rateWait(clock.instant());
                    if (sleep.isZero() && !admitted && lanesIn > 0 && queue.size() <= IN_HAND_PER_SESSION * lanesIn) {
                        wait();
                        continue;
                    }
                    if (sleep.isZero()) {
                        if (!admitted) lanesIn++;
                        return true;
                    }
                    Instant resume = clock.instant().plus(sleep);
                    String limits = waitingFor(clock.instant());
                    if (sleep.compareTo(LONGEST_PAUSE) > 0) {
                        ended = limits + " reached; the next message may go at " + resume.truncatedTo(ChronoUnit.SECONDS)
                                + "; run or resume again then";
                        notifyAll();
                        return false;
                    }
                    if (deadline != null && resume.isAfter(deadline)) {
                        ended = "the run's time bound (" + deadline.truncatedTo(ChronoUnit.SECONDS) + ") comes before " + limits
                                + " lets the next message go; run or resume again to go on";
                        notifyAll();
                        return false;
                    }
                    pausing = true;
                    progress.waiting("for " + limits + " until " + resume.truncatedTo(ChronoUnit.SECONDS));
                }
            }
            if (sleep == null) {
                // the planner's next batch, waited for outside the lock: the other lanes report what they carry meanwhile;
                // a worker looks again now and then, as other workers' plans may add rows too
                arrivals.awaitAfter(batch, claims == null ? 0 : OTHERS_POLL.toMillis());
                continue;
            }
            try {
                pause.sleep(sleep);
            } finally {
                progress.waiting(null);
                synchronized (this) {
                    pausing = false;
                    notifyAll();
                }
            }
        }
    }

    /**
     * The next message for {@code session}, or null for now (nothing due, a rate-limit wait, the run is
     * over). Rows that cannot go on this session are decided here: skipped (no message, or SMTPUTF8 needed
     * and not offered) or failed (larger than the server's SIZE).
     */
    synchronized Recorder.Flight next(SmtpSession session) throws Exception {
        while (true) {
            if (over()) return null;
            Instant now = clock.instant();
            if (queue.isEmpty() && !refill() || !rateWait(now).isZero()) return null;
            Composed c = queue.next();
            Recipient r = c.recipient();
            if (c.problem() != null) {
                recorder.skipped(r, c.problem());
                continue;
            }
            Mail mail = c.mail();
            if (mail.needsSmtpUtf8() && !session.extensions().has("SMTPUTF8")) {
                recorder.skipped(r, OutcomePolicy.NEEDS_SMTPUTF8);
                continue;
            }
            List<Address> carried = carried(r, mail);
            long most = session.extensions().sizeLimit();
            if (most > 0 && mail.size() > most) {
                recorder.withoutAttempt(r, carried.stream().map(Address::seq).toList(), OutcomePolicy.tooLarge(mail.size(), most));
                continue;
            }
            try {
                mail = envelopes.forAttempt(mail, r, session.extensions());
            } catch (UnsendableMessageException e) {
                recorder.skipped(r, "its VERP return path cannot be sent: " + e.getMessage());
                continue;
            }
            // counted as late as it can be, once composed: the server sees it a moment after this
            if (!rate.take(clock.instant(), mail.recipients().size()).isZero()) {
                // another sender took the room meanwhile: composed again (its Date) when it goes
                queue.putBack(r);
                return null;
            }
            pace.started(clock.instant());
            tried++;
            inHand++;
            return recorder.begin(r, carried, mail, session.id());
        }
    }

    /**
     * How long the next queued message must wait for the rate limits and the pace a server asked for; its due
     * addresses are counted only when there are limits.
     */
    private Duration rateWait(Instant now) {
        Duration limits = rate.limits().isEmpty() ? Duration.ZERO : rate.waitAt(now, due(queue.peek(), now).size());
        Duration paced = pace.waitAt(now);
        return paced.compareTo(limits) > 0 ? paced : limits;
    }

    /** What a wait at {@code now} is for, in the words of the note that ends a run: the server's pace, or the job's limits. */
    private String waitingFor(Instant now) {
        if (rate.limits().isEmpty() || pace.waitAt(now).compareTo(rate.waitAt(now, due(queue.peek(), now).size())) > 0) {
            return "the pace the server asked for (" + Pace.describe(pace.perSecond(now)) + ")";
        }
        return "the rate limit (" + String.join(", ", rate.limits().stream().map(RateLimit.Limit::describe).toList()) + ")";
    }

    /** An earlier run through the account was asked to slow down: this one goes on from where that left the pace. */
    synchronized void resumePace(io.mailroom.store.Throttle t) {
        pace.resume(t.resumeAt(), t.perSecond());
    }

    /**
     * A reply read at {@code now} asked the run to slow down ({@link Throttling}): every lane pauses, then goes at the
     * slower pace; what that is, or null when the run already pauses for an earlier one.
     */
    synchronized Pace.Slowed throttled(Instant now) {
        Pace.Slowed s = pace.throttled(now);
        notifyAll();
        return s;
    }

    /** An admitted lane has ended (its session with it). */
    synchronized void laneEnded() {
        lanesIn--;
        notifyAll();
    }

    /** The flight is over (its outcome is with the recorder). */
    synchronized void done() {
        inHand--;
        notifyAll();
    }

    /**
     * Taken but never written: back to the front of the queue, composed again when taken (its mail carries this
     * attempt's envelope, a VERP return path or DSN parameters for this session, which the next attempt makes anew).
     */
    synchronized void putBack(Recorder.Flight f) {
        queue.putBack(f.recipient);
        tried--;
        inHand--;
        notifyAll();
    }

    /** Ends the run for every lane (a lane failed in a way the others can't carry on from). */
    synchronized void abort() {
        aborted = true;
        notifyAll();
    }

    /** Messages handed to sessions and written, at least in part. */
    synchronized int tried() { return tried; }

    /** Why the run ended before everything due was sent (a rate limit or the time bound), or null. */
    synchronized String ended() { return ended; }

    private boolean over() {
        if (ended != null || drained || aborted || arrivals.failed() || stop.requested() || tried >= limit) return true;
        if (deadline != null && !clock.instant().isBefore(deadline)) {
            ended = "the run's time bound (" + deadline.truncatedTo(ChronoUnit.SECONDS) + ") was reached; run or resume again to go on";
            notifyAll();
            return true;
        }
        return false;
    }

    /**
     * Loads the next page of the current pass. A new pass starts only when no lane holds a message and the
     * store has every outcome, so it sees each row as it now is; false when there is nothing to load now.
     */
    private boolean refill() throws Exception {
        if (claims != null) return claimMore();
        while (queue.isEmpty()) {
            if (phase == null) {
                if (inHand > 0) return false;
                recorder.flush();
                phase = RecipientStatus.PENDING;
                lastRow = Integer.MIN_VALUE;
                lastId = Long.MIN_VALUE;
                passFoundAny = false;
            }
            // read before the page: once planning is over, its last batch is committed and this page sees it
            boolean planned = arrivals.over();
            long batches = arrivals.batches();
            List<Recipient> page = store.duePage(jobId, phase, clock.instant(), lastRow, lastId, PAGE);
            if (page.isEmpty()) {
                if (phase == RecipientStatus.PENDING && !planned) {
                    awaitingBatch = batches;
                    return false;
                }
                if (phase == RecipientStatus.PENDING) {
                    phase = RecipientStatus.DEFERRED;
                    lastRow = Integer.MIN_VALUE;
                    lastId = Long.MIN_VALUE;
                    continue;
                }
                phase = null;
                if (!passFoundAny) return false;
                continue;
            }
            passFoundAny = true;
            Recipient last = page.get(page.size() - 1);
            lastRow = last.row();
            lastId = last.id();
            queue.addAll(page);
            notifyAll();
        }
        return true;
    }

    /**
     * A worker's refill: claims due rows (pending first, then deferred and due) no other worker holds. Rows this
     * worker defers come back to it or another only through a later claim, once due.
     */
    private boolean claimMore() throws Exception {
        boolean planned = arrivals.over();
        long batches = arrivals.batches();
        Instant now = clock.instant();
        List<Long> ids = claims.claim(RecipientStatus.PENDING, now, claimSize);
        if (ids.isEmpty()) ids = claims.claim(RecipientStatus.DEFERRED, now, claimSize);
        if (ids.isEmpty()) {
            if (!planned) {
                awaitingBatch = batches;
            } else if (inHand == 0) {
                Claims.Held held = claims.othersHold(now);
                othersHold = held != Claims.Held.NOTHING;
                // what a gone one left is settled here, and claimable at the next look
                if (held == Claims.Held.BY_A_GONE_WORKER) settleGone.run();
            }
            return false;
        }
        queue.addAll(store.recipients(ids));
        notifyAll();
        return true;
    }

    /** The recipient's message, or why it cannot be built (the row is then skipped). Runs on the composing thread. */
    private Composed compose(Recipient r) {
        try {
            OutgoingMessage m = messages.compose(r);
            // the same content every time (its headers name the original To and Cc); only the addresses still due are RCPTs
            List<String> rcpts = due(r, clock.instant()).stream().map(Address::address).toList();
            if (rcpts.isEmpty()) throw new IllegalStateException("row " + r.row() + " is due but none of its addresses is");
            return new Composed(r, Mail.of(m.envelopeFrom(), rcpts, m.bytes()), null);
        } catch (Messages.Unbuildable | UnsendableMessageException p) {
            return new Composed(r, null, p.getMessage());
        }
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

    /** Settles what gone workers left; see {@link Engine}. */
    interface Settle {
        void run() throws Exception;
    }

    /** Stops the composing thread. */
    @Override
    public void close() {
        queue.close();
    }
}
