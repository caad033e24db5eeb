package io.mailroom.job;

import io.mailroom.mime.OutgoingMessage;
import io.mailroom.smtp.Delivery;
import io.mailroom.smtp.SmtpIOException;
import io.mailroom.smtp.SmtpSession;
import io.mailroom.smtp.SmtpSessionException;
import io.mailroom.smtp.UnsendableMessageException;
import io.mailroom.store.Outcome;
import io.mailroom.store.Recipient;
import io.mailroom.store.Store;
import java.sql.SQLException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The send loop: due recipients in row order, each rebuilt from its snapshot, its attempt written ahead,
 * sent on the job's session, its outcome decided by {@link OutcomePolicy} and committed at once. A 4xx or
 * 5xx for one recipient never stops the job; a session that broke is replaced for the next message.
 */
final class Sender {
    private static final int BATCH = 200;

    private final Store store;
    private final Composer composer;
    private final List<String> header;
    private final Sessions sessions;
    private final Clock clock;
    private final long runId;

    Sender(Store store, Composer composer, List<String> header, Sessions sessions, Clock clock, long runId) {
        this.store = store;
        this.composer = composer;
        this.header = header;
        this.sessions = sessions;
        this.clock = clock;
        this.runId = runId;
    }

    /** Sends what is due, at most {@code limit} messages; returns how many were tried. */
    int sendDue(long jobId, int limit) throws SQLException, SmtpSessionException {
        int tried = 0;
        while (tried < limit) {
            List<Recipient> batch = store.due(jobId, clock.instant(), Math.min(BATCH, limit - tried));
            if (batch.isEmpty()) break;
            for (Recipient r : batch) {
                send(r);
                tried++;
            }
        }
        return tried;
    }

    private void send(Recipient r) throws SQLException, SmtpSessionException {
        OutgoingMessage m;
        try {
            m = composer.compose(fields(r), r.messageId());
        } catch (RowProblem p) {
            store.markWithoutAttempt(r.id(), OutcomePolicy.skipped(p.getMessage()), clock.instant());
            return;
        }
        SmtpSession session = sessions.acquire();
        long attempt = store.beginAttempt(r.id(), runId, session.id(), clock.instant());
        try {
            Delivery d = session.send(m.envelopeFrom(), m.recipients(), m.bytes());
            store.finishAttempt(attempt, r.id(), OutcomePolicy.afterDelivery(d, r.attempts(), clock.instant()), d.exchanges(), clock.instant());
        } catch (SmtpIOException e) {
            store.finishAttempt(attempt, r.id(), OutcomePolicy.afterIoFailure(e, r.attempts(), clock.instant()), e.completed(), clock.instant());
        } catch (UnsendableMessageException e) {
            Outcome skipped = OutcomePolicy.skipped(e.getMessage());
            store.finishAttempt(attempt, r.id(), skipped, List.of(), clock.instant());
        }
    }

    private Map<String, String> fields(Recipient r) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < header.size() && i < r.values().size(); i++) fields.put(header.get(i), r.values().get(i));
        return fields;
    }
}
