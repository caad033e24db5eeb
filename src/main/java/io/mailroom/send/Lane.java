package io.mailroom.send;

import io.mailroom.send.Recorder.Flight;
import io.mailroom.smtp.Delivery;
import io.mailroom.smtp.Exchange;
import io.mailroom.smtp.Step;
import io.mailroom.smtp.Mail;
import io.mailroom.smtp.Outbox;
import io.mailroom.smtp.SmtpIOException;
import io.mailroom.smtp.SmtpSession;
import io.mailroom.store.Address;
import io.mailroom.store.Outcome;
import io.mailroom.store.StoredReply;
import io.mailroom.store.Throttle;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;

/**
 * One SMTP session's worth of the run, on a thread of its own: takes messages from the dispatcher, hands
 * them to its session (the session's {@link Outbox}), and reports each one's outcome, decided by
 * {@link OutcomePolicy} within the retry rules, to the recorder. A session that breaks is replaced by
 * {@link Sessions}; the other lanes never notice.
 */
final class Lane implements Outbox<Exception> {
    static final String UNANSWERED = "the process stopped after the final \".\" of this message was written and before its reply was read;"
            + " the server may have accepted it";

    private final Dispatcher dispatcher;
    private final Recorder recorder;
    private final Sessions sessions;
    private final RetryRules retry;
    private final Clock clock;
    private final Random random;
    private final Consumer<String> notes;
    /** Handed to the session, not yet reported. */
    private final Map<Mail, Flight> inFlight = new IdentityHashMap<>();
    private SmtpSession session;

    Lane(Dispatcher dispatcher, Recorder recorder, Sessions sessions, RetryRules retry, Clock clock, Random random, Consumer<String> notes) {
        this.notes = notes;
        this.dispatcher = dispatcher;
        this.recorder = recorder;
        this.sessions = sessions;
        this.retry = retry;
        this.clock = clock;
        this.random = random;
    }

    /** Sends until the dispatcher says the run is over; a server this lane cannot get a session from ends it with that failure. */
    void run() throws Exception {
        boolean admitted = false;
        try {
            while (dispatcher.ready(admitted)) {
                admitted = true;
                session = sessions.acquire();
                session.pump(this);
                if (!inFlight.isEmpty()) throw new IllegalStateException(inFlight.size() + " message(s) were not reported by the session");
            }
        } finally {
            sessions.close();
            if (admitted) dispatcher.laneEnded();
        }
    }

    int sessionsOpened() { return sessions.opened(); }

    @Override
    public Mail next() throws Exception {
        if (sessions.isFull(session)) return null;
        Flight f = dispatcher.next(session);
        if (f == null) return null;
        inFlight.put(f.mail, f);
        return f.mail;
    }

    /**
     * Journals the dot with what the addresses become if no reply to it is ever read: exactly what a lost
     * connection would make them (the accepted ones unknown, the refused ones keep their verdict).
     */
    @Override
    public void sending(Mail mail, List<Exchange> replies) throws Exception {
        Flight f = inFlight.get(mail);
        if (f == null) throw new IllegalStateException("the session is sending a message it was not given");
        SmtpIOException unanswered = new SmtpIOException(Step.END_OF_DATA, replies, new IOException(UNANSWERED));
        recorder.dot(f, limited(f, OutcomePolicy.afterIoFailure(unanswered, f.carried, clock.instant())), replies);
    }

    @Override
    public void finished(Mail mail, Delivery delivery) throws Exception {
        Flight f = take(mail);
        recorder.finished(f, limited(f, OutcomePolicy.afterDelivery(delivery, f.carried, clock.instant())), delivery.exchanges());
        slowDownIfAsked(delivery.exchanges());
        sessions.finishedOne();
        dispatcher.done();
    }

    /**
     * A reply that asks the sender to slow down ({@link Throttling}) slows the whole run ({@link Pace}): said, and
     * recorded for the report. Its addresses were deferred as any 4xx defers them.
     */
    private void slowDownIfAsked(List<Exchange> exchanges) throws Exception {
        for (Exchange e : exchanges) {
            Optional<String> meaning = Throttling.meaning(e.reply());
            if (meaning.isEmpty()) continue;
            Pace.Slowed s = dispatcher.throttled(clock.instant());
            if (s == null) return;
            Throttle t = new Throttle(s.at(), new StoredReply(e.reply().code(), e.reply().enhanced(), e.reply().text()), meaning.get(), s.resumeAt(),
                    s.perSecond());
            recorder.throttled(t);
            notes.accept("the server asked to slow down (" + t.said() + "): no message before " + s.resumeAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                    + ", then at most " + Pace.describe(s.perSecond()) + ", faster again after each quiet " + Pace.QUIET.toMinutes() + " minute(s)");
            return;
        }
    }

    @Override
    public void failed(Mail mail, SmtpIOException failure) throws Exception {
        Flight f = take(mail);
        recorder.finished(f, limited(f, OutcomePolicy.afterIoFailure(failure, f.carried, clock.instant())), failure.completed());
        slowDownIfAsked(failure.completed());
        dispatcher.done();
    }

    @Override
    public void unsent(Mail mail) {
        dispatcher.putBack(take(mail));
    }

    /** Each address's outcome within the retry limits; one jitter for the attempt, so its deferred addresses come back together. */
    private Map<Integer, Outcome> limited(Flight f, Map<Integer, Outcome> outcomes) {
        double jitter = (random.nextDouble() - 0.5) * 0.4;
        Map<Integer, Outcome> out = new LinkedHashMap<>();
        for (Address a : f.carried) {
            out.put(a.seq(), OutcomePolicy.withRetryLimits(outcomes.get(a.seq()), retry, a.attempts() + 1, a.firstAttemptAt(), clock.instant(), jitter));
        }
        return out;
    }

    private Flight take(Mail mail) {
        Flight f = inFlight.remove(mail);
        if (f == null) throw new IllegalStateException("the session reported a message twice or one it was not given");
        return f;
    }
}
