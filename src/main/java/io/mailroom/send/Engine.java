package io.mailroom.send;

import io.mailroom.mime.Envelope;
import io.mailroom.smtp.Dsn;
import io.mailroom.smtp.SmtpClient;
import io.mailroom.smtp.SmtpSessionException;
import io.mailroom.smtp.Transcript;
import io.mailroom.store.Attempts;
import io.mailroom.store.Claims;
import io.mailroom.store.Recipient;
import io.mailroom.store.Store;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The send engine: settles what an earlier run left unsettled (its flight journal), then sends what is due
 * over {@code smtp.connections} lanes, one SMTP session each, fed by one {@link Dispatcher} and recorded
 * by one {@link Recorder}. A lane that cannot keep a session ends alone and the others carry on; any other
 * failure stops every lane after the messages they have on the wire.
 */
public final class Engine {
    /**
     * How a job sends, as far as the engine is concerned; {@code account}: the sending account, whose messages the
     * rate limits count together, or the job's alone when {@code rateForJobOnly}; {@code tokens}: the job's attempt
     * tokens (null unless {@code verp} or the DSN request's ENVID needs them); {@code verp}: each attempt gets a return
     * path of its own; {@code dsn}: what the job asks of delivery status notifications (null: nothing).
     */
    public record Settings(int connections, int maxPerSession, Duration idleProbe, RetryRules retry, List<RateLimit.Limit> rate, String account,
                           boolean rateForJobOnly, Verp tokens, boolean verp, Dsn dsn) { }

    /** What a run did: messages tried, sessions opened, and why it ended early (a rate limit, the time bound), if it did. */
    public record Result(int tried, int sessions, String ended) { }

    private final Clock clock;
    private final Pause pause;
    private final Stop stop;
    private final Function<String, Transcript> transcripts;
    private final Consumer<String> notes;
    private final Progress progress;

    public Engine(Clock clock, Pause pause, Stop stop, Function<String, Transcript> transcripts, Consumer<String> notes, Progress progress) {
        this.progress = progress;
        this.clock = clock;
        this.pause = pause;
        this.stop = stop;
        this.transcripts = transcripts;
        this.notes = notes;
    }

    /**
     * Before anything is sent: the attempts an earlier run of the job journaled and the store missed are
     * stored (a bare dot makes its addresses unknown), and attempts older versions left in flight settled.
     */
    public void settle(Store store, long jobId, String jobName) throws Exception {
        Attempts attempts = store.attempts();
        Path file = store.journalFile(jobName);
        int unknown;
        try {
            unknown = Recorder.replay(attempts, file, attempts.journalToken(jobId), clock.instant());
        } catch (java.io.IOException e) {
            throw new JournalException(file, e);
        }
        unknown += attempts.settleInFlight(jobId, clock.instant());
        if (unknown > 0) {
            notes.accept(jobName + ": " + unknown + " message(s) had their final \".\" on the wire when a previous run stopped, with no"
                    + " reply read; their addresses are unknown (resume --resend-unknown sends them again)");
        }
    }

    /**
     * Sends what is due for run {@code runId}, and what {@code arrivals} brings while it runs: at most
     * {@code limit} messages, none after {@code deadline} (null for none).
     */
    public Result send(Store store, long jobId, String jobName, long runId, Messages messages, Arrivals arrivals, SmtpClient client, Settings s,
                       int limit, Instant deadline, Claims claims) throws Exception {
        Attempts attempts = claims == null ? store.attempts() : store.attempts().forWorker(claims.worker());
        if (claims != null) settleOtherWorkers(store, jobId, jobName, claims);
        completeEnvelopes(attempts, jobId, messages);
        Path file = claims == null ? store.journalFile(jobName) : store.journalFile(jobName, claims.worker());
        FlightJournal journal;
        try {
            journal = FlightJournal.create(file, attempts.journalToken(jobId));
        } catch (java.io.IOException e) {
            throw new JournalException(file, e);
        }
        Recorder recorder = new Recorder(attempts, journal, file, runId, clock, claims, progress);
        AtomicInteger sessionIds = new AtomicInteger();
        List<Lane> lanes = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        Dispatcher dispatcher = null;
        try (Store reader = store.reader();
             RateLimit rate = RateLimit.forRun(attempts, store.database(), jobId, s.account(), s.rateForJobOnly(), s.rate(), clock.instant())) {
            // lanes are running when it settles: on a connection of its own (the recorder's is the recorder's alone)
            Dispatcher.Settle settleGone = () -> {
                try (Store own = store.writer()) {
                    settleOtherWorkers(own, jobId, jobName, claims);
                }
            };
            dispatcher = new Dispatcher(reader.attempts(), jobId, messages, arrivals, recorder, clock, pause, stop, rate, deadline, limit, s.connections(),
                    claims, settleGone, new Envelopes(s.tokens(), s.verp(), s.dsn(), line -> notes.accept(jobName + ": " + line)), progress);
            // a provider's request to slow down holds for the account, whichever run or job comes next
            Optional<io.mailroom.store.Throttle> lastThrottle = attempts.lastThrottle(s.account());
            if (lastThrottle.isPresent()) dispatcher.resumePace(lastThrottle.get());
            Random random = new Random();
            for (int i = 0; i < s.connections(); i++) {
                Sessions sessions = new Sessions(client, s.maxPerSession(), s.idleProbe(), () -> runId + "." + sessionIds.incrementAndGet(),
                        transcripts, clock, pause);
                lanes.add(new Lane(dispatcher, recorder, sessions, s.retry(), clock, random, line -> notes.accept(jobName + ": " + line)));
            }
            if (claims == null) {
                runAll(lanes, dispatcher, failures);
            } else {
                try (Heartbeat beat = new Heartbeat(claims, clock, dispatcher, failures)) {
                    runAll(lanes, dispatcher, failures);
                }
            }
        } catch (Exception e) {
            failures.add(0, e);
        } finally {
            if (dispatcher != null) dispatcher.close();
            try {
                recorder.close();
            } catch (Exception e) {
                failures.add(0, e);
            }
        }
        throwIfFailed(failures, lanes.size(), jobName);
        return new Result(dispatcher.tried(), lanes.stream().mapToInt(Lane::sessionsOpened).sum(), dispatcher.ended());
    }

    /**
     * A worker settles what workers that ran this job on this machine and are gone left in their journals (a
     * restarted worker settles its own), then the rows of any worker whose lease has passed: first, and
     * again whenever it finds nothing to claim while others hold rows.
     */
    private void settleOtherWorkers(Store store, long jobId, String jobName, Claims claims) throws Exception {
        Attempts attempts = store.attempts();
        int unknown = 0;
        for (var journal : store.workerJournals(jobName).entrySet()) {
            String worker = journal.getKey();
            if (worker.equals(claims.worker()) || !claims.endIfGone(worker, clock.instant())) continue;
            try {
                unknown += Recorder.replay(attempts.forWorker(worker), journal.getValue(), attempts.journalToken(jobId), clock.instant());
            } catch (java.io.IOException e) {
                throw new JournalException(journal.getValue(), e);
            }
        }
        unknown += claims.settleDead(clock.instant());
        if (unknown > 0) {
            notes.accept(jobName + ": " + unknown + " address(es) were in a message whose final \".\" was on the wire when a worker stopped, with"
                    + " no reply recorded; they are unknown (resume --resend-unknown sends them again)");
        }
    }

    /** Runs every lane on a thread of its own; a failure other than losing its server stops them all. */
    private static void runAll(List<Lane> lanes, Dispatcher dispatcher, List<Throwable> failures) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < lanes.size(); i++) {
            Lane lane = lanes.get(i);
            Thread t = new Thread(() -> {
                try {
                    lane.run();
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                    if (!(e instanceof SmtpSessionException)) dispatcher.abort();
                }
            }, "mailroom-lane-" + (i + 1));
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) t.join();
    }

    /**
     * Rethrows the first failure that is not a lane losing its server; a lost server only when every lane
     * lost it (the job could not be sent at all), else it is said and the run's counts tell the rest.
     */
    private void throwIfFailed(List<Throwable> failures, int lanes, String jobName) throws Exception {
        Throwable fatal = failures.stream().filter(f -> !(f instanceof SmtpSessionException)).findFirst().orElse(null);
        long lost = failures.stream().filter(f -> f instanceof SmtpSessionException).count();
        if (fatal == null && lost == lanes && lost > 0) fatal = failures.stream().filter(f -> f instanceof SmtpSessionException).findFirst().get();
        if (fatal != null) {
            for (Throwable f : failures) if (f != fatal) fatal.addSuppressed(f);
            if (fatal instanceof Exception e) throw e;
            throw (Error) fatal;
        }
        for (Throwable f : failures) notes.accept(jobName + ": one of " + lanes + " sessions ended: " + f.getMessage() + "; the others carried on");
    }

    /**
     * A row planned before addresses were stored knows only its To addresses: its Cc and Bcc come from its
     * snapshot, rendered as it will be sent, before anything goes. A row that no longer renders is skipped.
     */
    private void completeEnvelopes(Attempts attempts, long jobId, Messages messages) throws SQLException {
        for (Recipient r : attempts.incompleteEnvelopes(jobId)) {
            try {
                Envelope e = messages.envelope(r);
                attempts.completeEnvelope(r, e.addresses().stream().map(a -> new String[] {a.kind(), a.address()}).toList());
            } catch (Messages.Unbuildable p) {
                attempts.skip(r.id(), p.getMessage(), clock.instant());
            }
        }
        attempts.commit();
    }
}
