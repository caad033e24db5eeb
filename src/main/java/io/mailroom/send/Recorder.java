package io.mailroom.send;

import io.mailroom.smtp.Exchange;
import io.mailroom.smtp.Mail;
import io.mailroom.store.Address;
import io.mailroom.store.Attempts;
import io.mailroom.store.Claims;
import io.mailroom.store.LeaseLostException;
import io.mailroom.store.Outcome;
import io.mailroom.store.RecipientStatus;
import io.mailroom.store.Throttle;
import io.mailroom.store.Recipient;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The one writer of a run's record: lanes tell it what happened, it journals what a crash must not lose
 * (a dot about to go, the reply to it) on the caller's thread, one {@code write()} each, and folds
 * everything into the store on a thread of its own, in group commits of up to {@link #MOST_PER_COMMIT}
 * events or {@link #COMMIT_INTERVAL_NANOS} apart: a durable H2 commit costs about a hundred messages'
 * worth of the send loop, a journal record almost nothing. Only this thread uses the store connection
 * while lanes run. A store failure stops the folding; every later call rethrows it, so lanes stop too.
 */
final class Recorder implements AutoCloseable {
    /** Above about 750 messages a transaction H2 writes uncommitted pages mid-transaction and the file grows faster. */
    private static final int MOST_PER_COMMIT = 500;
    private static final long COMMIT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    /** One attempt, from being handed to a session to its outcome. */
    static final class Flight {
        final int no;
        final Recipient recipient;
        final List<Address> carried;
        final Mail mail;
        final String sessionId;
        final Instant startedAt;
        boolean dotted;

        Flight(int no, Recipient recipient, List<Address> carried, Mail mail, String sessionId, Instant startedAt) {
            this.no = no;
            this.recipient = recipient;
            this.carried = carried;
            this.mail = mail;
            this.sessionId = sessionId;
            this.startedAt = startedAt;
        }
    }

    private sealed interface Event permits Finished, Skipped, WithoutAttempt, Throttled, Barrier { }

    private record Throttled(Throttle throttle) implements Event { }
    private record Finished(Flight flight, Map<Integer, Outcome> outcomes, List<Exchange> exchanges, Instant at) implements Event { }
    private record Skipped(Recipient recipient, String reason, Instant at) implements Event { }
    private record WithoutAttempt(Recipient recipient, List<Integer> seqs, Outcome outcome, Instant at) implements Event { }
    /** Everything before it is committed once it completes. */
    private record Barrier(CompletableFuture<Void> done) implements Event { }

    private final Attempts attempts;
    /** A worker's claims when several share the job (PostgreSQL), else null. */
    private final Claims claims;
    private final Progress progress;
    private final FlightJournal journal;
    private final Path journalFile;
    private final long runId;
    private final Clock clock;
    private final AtomicInteger flights = new AtomicInteger();
    private final BlockingQueue<Event> queue = new ArrayBlockingQueue<>(4 * MOST_PER_COMMIT);
    private final Thread folder;
    private volatile Exception failure;
    private volatile boolean closing;
    private volatile boolean urgent;

    Recorder(Attempts attempts, FlightJournal journal, Path journalFile, long runId, Clock clock, Claims claims, Progress progress) {
        this.progress = progress;
        this.claims = claims;
        this.attempts = attempts;
        this.journal = journal;
        this.journalFile = journalFile;
        this.runId = runId;
        this.clock = clock;
        this.folder = new Thread(this::foldLoop, "mailroom-recorder");
        folder.setDaemon(true);
        folder.start();
    }

    /**
     * Stores what the journal at {@code file} (an earlier run's) holds and the store lacks, then deletes it:
     * a reply settles its attempt; a bare dot makes the addresses it carried unknown. Safe to repeat (a
     * kill during it leaves the journal for the next start). Returns how many were left unknown.
     */
    static int replay(Attempts attempts, Path file, String token, Instant now) throws IOException, JournalException, SQLException {
        int unknown = 0;
        for (FlightJournal.Flight f : FlightJournal.read(file, token)) {
            FlightJournal.Dot d = f.dot();
            FlightJournal.Reply r = f.reply();
            boolean stored = r != null
                    ? attempts.recordReplayed(d.recipientId(), d.runId(), d.flightNo(), d.sessionId(), d.startedAt(), d.envid(), r.outcomes(), r.exchanges(),
                            r.finishedAt())
                    : attempts.recordReplayed(d.recipientId(), d.runId(), d.flightNo(), d.sessionId(), d.startedAt(), d.envid(), d.ifUnanswered(), d.replies(),
                            now);
            if (stored && r == null) unknown++;
        }
        attempts.commit();
        java.nio.file.Files.deleteIfExists(file);
        return unknown;
    }

    /** An attempt starts: {@code mail}, carrying these addresses of {@code r}, is handed to session {@code sessionId}. */
    Flight begin(Recipient r, List<Address> carried, Mail mail, String sessionId) {
        return new Flight(flights.incrementAndGet(), r, carried, mail, sessionId, clock.instant());
    }

    /**
     * The flight's final "." is written next: from here a crash leaves it as {@code ifUnanswered} says (its
     * accepted addresses unknown), not due; {@code replies} are the transaction's so far.
     */
    void dot(Flight f, Map<Integer, Outcome> ifUnanswered, List<Exchange> replies) throws JournalException, SQLException {
        rethrow();
        // other workers must know, should this one die, that this row's "." may have gone; and one that lost the row sends nothing of it
        if (claims != null && !claims.markDot(f.recipient.id(), clock.instant())) throw new LeaseLostException(claims.worker(), f.recipient.id());
        try {
            journal.dot(new FlightJournal.Dot(runId, f.no, f.recipient.id(), f.sessionId, f.startedAt, f.mail.envid(), ifUnanswered, replies));
        } catch (IOException e) {
            throw new JournalException(journalFile, e);
        }
        f.dotted = true;
    }

    /** The attempt is over, with each carried address's outcome; journaled first when its dot went out. */
    void finished(Flight f, Map<Integer, Outcome> outcomes, List<Exchange> exchanges) throws JournalException, SQLException, InterruptedException {
        rethrow();
        Instant now = clock.instant();
        if (f.dotted) {
            try {
                journal.reply(new FlightJournal.Reply(f.no, now, outcomes, exchanges));
            } catch (IOException e) {
                throw new JournalException(journalFile, e);
            }
        }
        enqueue(new Finished(f, outcomes, exchanges, now));
    }

    /** A row that cannot become a message (nothing journaled: it was never sent, and would be found again). */
    void skipped(Recipient r, String reason) throws SQLException, InterruptedException {
        enqueue(new Skipped(r, reason, clock.instant()));
    }

    /** Addresses decided without an attempt (a message too large for the server). */
    void withoutAttempt(Recipient r, List<Integer> seqs, Outcome o) throws SQLException, InterruptedException {
        enqueue(new WithoutAttempt(r, seqs, o, clock.instant()));
    }

    /** The run was asked to slow down (see {@link Pace}). */
    void throttled(Throttle t) throws SQLException, InterruptedException {
        enqueue(new Throttled(t));
    }

    /** Waits until everything recorded so far is in the store. */
    void flush() throws SQLException, InterruptedException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        enqueue(new Barrier(done));
        try {
            done.get();
        } catch (ExecutionException e) {
            rethrow();
            throw new SQLException(e.getCause());
        }
    }

    /**
     * The folding thread is not woken per event (that was a wake-up per message on the lane's clock): it
     * looks every {@link #COMMIT_INTERVAL_NANOS}, and sooner when a commit's worth is waiting or someone waits.
     */
    private void enqueue(Event e) throws SQLException, InterruptedException {
        while (!queue.offer(e, 100, TimeUnit.MILLISECONDS)) rethrow();
        if (e instanceof Barrier || queue.size() >= MOST_PER_COMMIT) wake();
        rethrow();
    }

    private void wake() {
        urgent = true;
        LockSupport.unpark(folder);
    }

    private void rethrow() throws SQLException {
        Exception f = failure;
        if (f instanceof SQLException s) throw s;
        if (f instanceof RuntimeException r) throw r;
        if (f != null) throw new SQLException(f.getMessage(), f);
    }

    private void foldLoop() {
        List<Event> batch = new ArrayList<>();
        try {
            while (true) {
                boolean last = closing;
                urgent = false;
                while (queue.drainTo(batch, MOST_PER_COMMIT) > 0) {
                    fold(batch);
                    batch.clear();
                }
                if (last) return;
                if (!urgent) LockSupport.parkNanos(this, COMMIT_INTERVAL_NANOS);
            }
        } catch (Exception | Error e) {
            failure = e instanceof Exception x ? x : new IllegalStateException(e);
            for (Event left : batch) if (left instanceof Barrier b) b.done().completeExceptionally(e);
            Event left;
            while ((left = queue.poll()) != null) if (left instanceof Barrier b) b.done().completeExceptionally(e);
            try {
                attempts.rollback();
            } catch (SQLException again) {
                e.addSuppressed(again);
            }
        }
    }

    private void fold(List<Event> batch) throws SQLException, IOException {
        List<Integer> journaled = new ArrayList<>();
        Map<Long, RecipientStatus> rows = new java.util.LinkedHashMap<>();
        for (Event e : batch) {
            if (e instanceof Finished f) {
                Flight flight = f.flight();
                rows.put(flight.recipient.id(), attempts.record(flight.recipient, runId, flight.no, flight.sessionId, flight.startedAt, flight.mail.envid(),
                        f.outcomes(), f.exchanges(), f.at()));
                if (flight.dotted) journaled.add(flight.no);
            } else if (e instanceof Skipped s) {
                attempts.skip(s.recipient().id(), s.reason(), s.at());
                rows.put(s.recipient().id(), RecipientStatus.SKIPPED);
            } else if (e instanceof WithoutAttempt w) {
                rows.put(w.recipient().id(), attempts.markWithoutAttempt(w.recipient().id(), w.seqs(), w.outcome(), w.at()));
            } else if (e instanceof Throttled t) {
                attempts.recordThrottle(runId, t.throttle());
            }
        }
        attempts.commit();
        journal.settled(journaled);
        rows.forEach(progress::settled);
        for (Event e : batch) if (e instanceof Barrier b) b.done().complete(null);
    }

    /**
     * Folds what is left and stops the folding thread; the journal goes once the store has everything in
     * it (after a failure it stays, for the next start to settle).
     */
    @Override
    public void close() throws SQLException, JournalException, InterruptedException {
        closing = true;
        wake();
        folder.join();
        try {
            if (failure == null && journal.isSettled()) journal.delete();
            else journal.close();
        } catch (IOException e) {
            throw new JournalException(journalFile, e);
        }
        rethrow();
    }
}
