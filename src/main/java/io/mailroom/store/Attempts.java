package io.mailroom.store;

import io.mailroom.smtp.Exchange;
import io.mailroom.smtp.SmtpReply;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The send side of the store: runs, what is due, attempts and their replies, and each address's and row's
 * status. An attempt is stored once it is over, with its outcome, in the caller's next commit (group
 * commits: the flight journal, not the store, is what a crash is settled from). Marking an address that is
 * not pending or deferred is a bug and throws: every address is marked once.
 */
public final class Attempts {
    private final Connection db;
    /** The statements of the send loop: they run several times for every message. */
    private final Prepared prepared;
    /** The worker whose claims this records outcomes for ({@link Claims}); null for the job's only sender (H2). */
    private final String worker;

    Attempts(Connection db) {
        this(db, null);
    }

    private Attempts(Connection db, String worker) {
        this.db = db;
        this.prepared = new Prepared(db);
        this.worker = worker;
    }

    /** The same store recording for {@code worker}: an outcome for a row the worker no longer holds is refused ({@link LeaseLostException}). */
    public Attempts forWorker(String worker) {
        return new Attempts(db, worker);
    }

    private int update(String sql, Object... args) throws SQLException {
        PreparedStatement ps = prepared.get(sql, Statement.NO_GENERATED_KEYS);
        Sql.bind(ps, args);
        return ps.executeUpdate();
    }

    public void commit() throws SQLException { db.commit(); }

    public void rollback() throws SQLException { db.rollback(); }

    /**
     * The next {@code size} recipients of the job with {@code status} (pending, or deferred and due at
     * {@code now}), in row order after row {@code row} and id {@code id}: a sender walks a large job a page at
     * a time, each page found through the status index.
     */
    public List<Recipient> duePage(long jobId, RecipientStatus status, Instant now, int row, long id, int size) throws SQLException {
        String due = status == RecipientStatus.DEFERRED ? " AND (r.not_before IS NULL OR r.not_before <= ?)" : "";
        List<Object> args = new ArrayList<>(List.of(jobId, status.label(), row, row, id));
        if (!due.isEmpty()) args.add(Timestamp.from(now));
        args.add(size);
        return Sql.recipients(db, "r WHERE r.job_id = ? AND r.status = ? AND r.row_no >= ? AND (r.row_no > ? OR r.id > ?)" + due
                // the status index's own order, so H2 walks it from the cursor and stops after a page; ORDER BY row_no, id
                // alone made it collect and sort every due row for each page (a million-row job slowed to 20 a second)
                + " ORDER BY r.job_id, r.status, r.row_no, r.id LIMIT ?", args.toArray());
    }

    /** Records that run {@code runId} was asked to slow down (for the caller's next commit). */
    public void recordThrottle(long runId, Throttle t) throws SQLException {
        update("INSERT INTO throttles (run_id, at, reply_code, reply_enhanced, reply_text, meaning, resume_at, per_second) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                runId, Timestamp.from(t.at()), t.reply().code(), t.reply().enhanced(), Sql.clip(t.reply().text()), t.meaning(),
                Timestamp.from(t.resumeAt()), t.perSecond());
    }

    /** The last time a run through {@code account} (any job) was asked to slow down. */
    public Optional<Throttle> lastThrottle(String account) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT t.at, t.reply_code, t.reply_enhanced, t.reply_text, t.meaning, t.resume_at, t.per_second"
                + " FROM throttles t JOIN runs r ON r.id = t.run_id WHERE r.account = ? ORDER BY t.at DESC, t.id DESC LIMIT 1")) {
            ps.setString(1, account);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(Throttle.read(rs)) : Optional.empty();
            }
        }
    }

    /** How many of the job's rows are due at {@code now}: pending, or deferred and due (what a run starting now would send). */
    public long countDue(long jobId, Instant now) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT (SELECT COUNT(*) FROM recipients WHERE job_id = ? AND status = 'pending')"
                + " + (SELECT COUNT(*) FROM recipients WHERE job_id = ? AND status = 'deferred' AND (not_before IS NULL OR not_before <= ?))")) {
            ps.setLong(1, jobId);
            ps.setLong(2, jobId);
            ps.setTimestamp(3, Timestamp.from(now));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The recipients with these ids, in row order (rows a worker has just claimed). */
    public List<Recipient> recipients(List<Long> ids) throws SQLException {
        if (ids.isEmpty()) return List.of();
        return Sql.recipients(db, "r WHERE r.id IN (" + String.join(", ", java.util.Collections.nCopies(ids.size(), "?")) + ") ORDER BY r.row_no, r.id",
                ids.toArray());
    }

    /**
     * Attempts since {@code since} that the rate ledger does not count (runs without rate limits, and runs from
     * before it): of every run through {@code account} (any job), or of job {@code jobId} when {@code account}
     * is null. One stored before attempts named their addresses counts as one address; runs from before runs
     * named their account (V11) count for their job only.
     */
    public List<RateLedger.Send> attemptsSince(long jobId, String account, Instant since) throws SQLException {
        List<RateLedger.Send> out = new ArrayList<>();
        String sql = "SELECT a.started_at, a.addresses FROM attempts a JOIN recipients r ON r.id = a.recipient_id JOIN runs u ON u.id = a.run_id"
                + (account == null ? " WHERE r.job_id = ?" : " WHERE (u.account = ? OR u.account IS NULL AND r.job_id = ?)") + " AND a.started_at > ?"
                + " AND u.rate_counted IS NOT TRUE";
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            if (account == null) Sql.bind(ps, jobId, Timestamp.from(since));
            else Sql.bind(ps, account, jobId, Timestamp.from(since));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String seqs = rs.getString(2);
                    out.add(new RateLedger.Send(rs.getTimestamp(1).toInstant(), seqs == null || seqs.isBlank() ? 1 : seqs.trim().split(" ").length));
                }
            }
        }
        return out;
    }

    /** The messages the rate ledger counted through {@code account} (for job {@code jobId} alone when {@code jobOnly}) after {@code since}. */
    public List<RateLedger.Send> countedSince(String account, long jobId, boolean jobOnly, Instant since) throws SQLException {
        return RateLedger.sends(db, account, jobId, jobOnly, since);
    }

    /** The account the job's last run sent through, if one recorded it. */
    public java.util.Optional<String> lastAccount(long jobId) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT account FROM runs WHERE job_id = ? AND account IS NOT NULL ORDER BY id DESC LIMIT 1")) {
            Sql.bind(ps, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? java.util.Optional.of(rs.getString(1)) : java.util.Optional.empty();
            }
        }
    }

    /**
     * A run of {@code command} begins, sending through {@code account} (what account-wide rate limits count by);
     * {@code rateCounted}: it has rate limits, so the rate ledger counts its messages.
     */
    public long beginRun(long jobId, String command, String account, boolean rateCounted, Instant now) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO runs (job_id, command, started_at, account, worker_id, rate_counted)"
                + " VALUES (?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
            Sql.bind(ps, jobId, command, Timestamp.from(now), account, worker, rateCounted);
            ps.executeUpdate();
            long id = Sql.generatedKey(ps);
            db.commit();
            return id;
        }
    }

    /** {@code exitCode} null: the run ended in an error. */
    public void finishRun(long runId, Integer exitCode, Instant now) throws SQLException {
        Sql.update(db, "UPDATE runs SET finished_at = ?, exit_code = ? WHERE id = ?", Timestamp.from(now), exitCode, runId);
        db.commit();
    }

    /**
     * Stores an attempt that is over (for the caller's next commit): when it started, on which session,
     * its number in the run's flight journal, the ENVID it was sent with (null: none), every reply, each carried
     * address's outcome, and the row's new roll-up, which it returns.
     */
    public RecipientStatus record(Recipient recipient, long runId, int flightNo, String connectionId, Instant startedAt, String envid,
                                  Map<Integer, Outcome> byAddress, List<Exchange> exchanges, Instant now) throws SQLException {
        long recipientId = recipient.id();
        for (var e : byAddress.entrySet()) markAddress(recipientId, e.getKey(), e.getValue(), now, true);
        RecipientStatus row = rollUp(recipientId, updated(recipient, byAddress, now), now, 1, "status IN ('pending', 'deferred')");
        // the replies go in the attempt's own row (ReplyLog): a row each in attempt_replies was about half of what recording wrote
        update("INSERT INTO attempts (recipient_id, run_id, connection_id, started_at, finished_at, in_flight, status, failure, addresses,"
                + " flight_no, replies, envid) VALUES (?, ?, ?, ?, ?, FALSE, ?, ?, ?, ?, ?, ?)", recipientId, runId, connectionId, Timestamp.from(startedAt),
                Timestamp.from(now), row.label(), Sql.clip(firstFailure(byAddress)),
                String.join(" ", byAddress.keySet().stream().map(String::valueOf).toList()), flightNo, ReplyLog.encode(exchanges), envid);
        return row;
    }

    /**
     * Stores an attempt read back from a flight journal, unless the store has it already (a replay may be
     * repeated: a kill during one leaves the journal for the next). Returns whether it was new.
     */
    public boolean recordReplayed(long recipientId, long runId, int flightNo, String connectionId, Instant startedAt, String envid,
                                  Map<Integer, Outcome> byAddress, List<Exchange> exchanges, Instant now) throws SQLException {
        if (worker != null) {
            // a dead worker's row that others have settled meanwhile (its lease passed) is theirs now; locked, so that
            // two workers settling the same dead one (its journal, or its lease) settle each row once
            try (PreparedStatement ps = db.prepareStatement("SELECT 1 FROM recipients WHERE id = ? AND claimed_by = ? FOR UPDATE")) {
                Sql.bind(ps, recipientId, worker);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return false;
                }
            }
        }
        try (PreparedStatement ps = db.prepareStatement("SELECT 1 FROM attempts WHERE recipient_id = ? AND run_id = ? AND flight_no = ?")) {
            Sql.bind(ps, recipientId, runId, flightNo);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) return false;
            }
        }
        Recipient r = Sql.recipients(db, "r WHERE r.id = ?", recipientId).get(0);
        record(r, runId, flightNo, connectionId, startedAt, envid, byAddress, exchanges, now);
        return true;
    }

    /** The token the job's flight journal must carry, made on first use. */
    public String journalToken(long jobId) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT journal_token FROM jobs WHERE id = ?")) {
            Sql.bind(ps, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getString(1) != null) return rs.getString(1);
            }
        }
        String token = java.util.UUID.randomUUID().toString();
        Sql.update(db, "UPDATE jobs SET journal_token = ? WHERE id = ?", token, jobId);
        db.commit();
        return token;
    }

    /**
     * A row that can't become a message at send time is skipped (for the caller's next commit), without addresses
     * like a row skipped when planned; it must be due. Once any of its addresses has been tried it is no longer a row that never became a message: its
     * addresses still due fail with the reason, so a later run can never plan it afresh and send again to
     * an address that has it.
     */
    public void skip(long recipientId, String reason, Instant now) throws SQLException {
        List<Address> addresses = Sql.addresses(db, recipientId);
        if (addresses.stream().anyMatch(a -> a.attempts() > 0)) {
            Outcome failed = new Outcome(RecipientStatus.FAILED, null, reason, null);
            List<Integer> due = addresses.stream().filter(a -> a.status() == RecipientStatus.PENDING || a.status() == RecipientStatus.DEFERRED)
                    .map(Address::seq).toList();
            markWithoutAttempt(recipientId, due, failed, now);
            return;
        }
        int n = update("UPDATE recipients SET status = 'skipped', reason = ?, not_before = NULL, updated_at = ?"
                + " WHERE id = ? AND status IN ('pending', 'deferred')", Sql.clip(reason), Timestamp.from(now), recipientId);
        if (n != 1) throw new IllegalStateException("recipient " + recipientId + " is not pending or deferred; refusing to mark it twice");
        // as a row skipped when planned: no addresses (none was ever tried, so nothing recorded goes)
        update("DELETE FROM addresses WHERE recipient_id = ?", recipientId);
    }

    /**
     * Settles row {@code r} by hand (for the caller's commit): its addresses not sent, and the row, become cancelled, so
     * no run sends it; the reason keeps what it was. False, and nothing changed, when a worker holds the row or its
     * status is no longer {@code r}'s.
     */
    public boolean cancel(Recipient r, Instant now) throws SQLException {
        // not a row a worker holds (it may be on the wire), nor one that changed since it was read
        int n = update("UPDATE recipients SET status = 'cancelled', reason = ?, not_before = NULL, updated_at = ? WHERE id = ? AND status = ?"
                + " AND claimed_by IS NULL", Sql.clip("cancelled by hand; was " + r.status().label() + (r.reason() == null ? "" : ": " + r.reason())),
                Timestamp.from(now), r.id(), r.status().label());
        if (n == 1) update("UPDATE addresses SET status = 'cancelled', not_before = NULL WHERE recipient_id = ? AND status <> 'sent'", r.id());
        return n == 1;
    }

    /**
     * A sent address that a bounce reported failed becomes bounced, with {@code why}; its row is rolled up again (for the
     * caller's commit). False, and nothing changed, when the address is not sent (bounced already, or never sent).
     */
    public boolean bounce(long recipientId, int seq, String why, Instant now) throws SQLException {
        if (update("UPDATE addresses SET status = 'bounced', failure = ? WHERE recipient_id = ? AND seq = ? AND status = 'sent'", Sql.clip(why),
                recipientId, seq) != 1) return false;
        rollUp(recipientId, Sql.addresses(db, recipientId), now, 0, "status IN ('sent', 'partial', 'bounced', 'cancelled')");
        return true;
    }

    /** Marks addresses without an attempt (too large for the server; for the caller's next commit), then rolls the row up. */
    public RecipientStatus markWithoutAttempt(long recipientId, List<Integer> seqs, Outcome outcome, Instant now) throws SQLException {
        for (int seq : seqs) markAddress(recipientId, seq, outcome, now, false);
        return rollUp(recipientId, Sql.addresses(db, recipientId), now, 0, "status IN ('pending', 'deferred')");
    }

    private void markAddress(long recipientId, int seq, Outcome o, Instant now, boolean attempted) throws SQLException {
        SmtpReply r = o.reply();
        int n = update("UPDATE addresses SET status = ?, failure = ?, attempts = attempts + ?, not_before = ?, reply_code = ?,"
                        + " reply_enhanced = ?, reply_text = ?, first_attempt_at = COALESCE(first_attempt_at, ?), last_attempt_at = COALESCE(?,"
                        + " last_attempt_at) WHERE recipient_id = ? AND seq = ? AND status IN ('pending', 'deferred')",
                o.status().label(), Sql.clip(o.failure()), attempted ? 1 : 0, o.notBefore() == null ? null : Timestamp.from(o.notBefore()),
                r == null ? null : r.code(), r == null ? null : r.enhanced(), r == null ? null : Sql.clip(r.text()),
                attempted ? Timestamp.from(now) : null, attempted ? Timestamp.from(now) : null, recipientId, seq);
        if (n != 1) throw new IllegalStateException("address " + seq + " of recipient " + recipientId + " is not due; refusing to mark it twice");
    }

    /**
     * Sets the row's status to the roll-up of its addresses' ({@link RecipientStatus#rollUp}), with the reply
     * and reason of the address that decided it and, while deferred, the earliest time one is due again.
     * {@code guard} says which row statuses may change: a second mark of a finished row is a bug.
     */
    private RecipientStatus rollUp(long recipientId, List<Address> addresses, Instant now, int attempted, String guard) throws SQLException {
        RecipientStatus row = RecipientStatus.rollUp(addresses.stream().map(Address::status).toList());
        Address decisive = addresses.stream().filter(a -> row == RecipientStatus.PARTIAL ? a.status() != RecipientStatus.SENT : a.status() == row)
                .findFirst().orElse(addresses.get(0));
        Timestamp notBefore = row != RecipientStatus.DEFERRED ? null : addresses.stream().filter(a -> a.status() == RecipientStatus.DEFERRED)
                .map(Address::notBefore).filter(java.util.Objects::nonNull).min(Instant::compareTo).map(Timestamp::from).orElse(null);
        StoredReply r = decisive.reply();
        // an outcome ends a worker's claim on the row
        int n = update("UPDATE recipients SET status = ?, reason = ?, attempts = attempts + ?, not_before = ?, reply_code = ?, reply_enhanced = ?,"
                        + " reply_text = ?, updated_at = ?, first_attempt_at = COALESCE(first_attempt_at, ?), claimed_by = NULL, dot_at = NULL"
                        + " WHERE id = ? AND " + guard + (worker == null ? "" : " AND claimed_by = '" + worker.replace("'", "''") + "'"),
                row.label(), Sql.clip(decisive.failure()), attempted, notBefore, r == null ? null : r.code(), r == null ? null : r.enhanced(),
                r == null ? null : r.text(), Timestamp.from(now), attempted > 0 ? Timestamp.from(now) : null, recipientId);
        if (n != 1 && worker != null) throw new LeaseLostException(worker, recipientId);
        if (n != 1) throw new IllegalStateException("recipient " + recipientId + " is not pending or deferred; refusing to mark it twice");
        return row;
    }

    /**
     * The row's addresses after this attempt, without reading them back: one sender owns the job, and a row
     * is in one attempt at a time, so what it was loaded with plus these outcomes is what the store holds.
     */
    private static List<Address> updated(Recipient r, Map<Integer, Outcome> byAddress, Instant now) {
        return r.addresses().stream().map(a -> {
            Outcome o = byAddress.get(a.seq());
            if (o == null) return a;
            SmtpReply reply = o.reply();
            return new Address(a.seq(), a.kind(), a.address(), o.status(), a.attempts() + 1, a.firstAttemptAt() == null ? now : a.firstAttemptAt(),
                    now, o.notBefore(), reply == null ? null : new StoredReply(reply.code(), reply.enhanced(), Sql.clip(reply.text())), o.failure());
        }).toList();
    }

    private static String firstFailure(Map<Integer, Outcome> byAddress) {
        return byAddress.values().stream().map(Outcome::failure).filter(java.util.Objects::nonNull).findFirst().orElse(null);
    }

    /** Unfinished rows planned before addresses were stored, whose Cc and Bcc the store does not have yet. */
    public List<Recipient> incompleteEnvelopes(long jobId) throws SQLException {
        return Sql.recipients(db, "r WHERE r.job_id = ? AND NOT r.envelope_complete AND r.status IN ('pending', 'deferred') ORDER BY r.row_no", jobId);
    }

    /** The envelopes of the job's unfinished rows are to be rendered again (their template changed). */
    public void reopenEnvelopes(long jobId) throws SQLException {
        update("UPDATE recipients SET envelope_complete = FALSE WHERE job_id = ? AND status IN ('pending', 'deferred')", jobId);
    }

    /**
     * Brings a row's stored envelope to {@code kindAndAddress} (for the caller's next commit): addresses it
     * lacks are added pending; pending ones never tried that it no longer has are dropped; the rest keep
     * their history. Then the row is marked complete.
     */
    public void completeEnvelope(Recipient r, List<String[]> kindAndAddress) throws SQLException {
        java.util.Set<String> wanted = new java.util.HashSet<>();
        for (String[] a : kindAndAddress) wanted.add(a[1].toLowerCase(java.util.Locale.ROOT));
        for (Address known : r.addresses()) {
            if (known.status() == RecipientStatus.PENDING && known.attempts() == 0 && !wanted.contains(known.address().toLowerCase(java.util.Locale.ROOT))) {
                update("DELETE FROM addresses WHERE recipient_id = ? AND seq = ?", r.id(), known.seq());
            }
        }
        int seq = r.addresses().stream().mapToInt(Address::seq).max().orElse(0);
        for (String[] a : kindAndAddress) {
            if (r.addresses().stream().anyMatch(known -> known.address().equalsIgnoreCase(a[1]))) continue;
            update("INSERT INTO addresses (recipient_id, seq, kind, address, status) VALUES (?, ?, ?, ?, 'pending')", r.id(), ++seq, a[0], a[1]);
        }
        update("UPDATE recipients SET envelope_complete = TRUE WHERE id = ?", r.id());
    }

    /** Attempts a crash left in flight: the addresses they carried become unknown (never resent silently). */
    public int settleInFlight(long jobId, Instant now) throws SQLException {
        List<long[]> rows = new ArrayList<>();
        List<String> carried = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT a.recipient_id, a.addresses FROM attempts a JOIN recipients r ON r.id = a.recipient_id"
                + " WHERE r.job_id = ? AND a.in_flight")) {
            Sql.bind(ps, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new long[] {rs.getLong(1)});
                    carried.add(rs.getString(2));
                }
            }
        }
        Outcome lost = new Outcome(RecipientStatus.UNKNOWN, null, "the process stopped after starting this attempt; the server may have"
                + " accepted the message", null);
        for (int i = 0; i < rows.size(); i++) {
            long id = rows.get(i)[0];
            // an attempt from before addresses were recorded carried every address still due
            List<Integer> seqs = carried.get(i) == null || carried.get(i).isBlank()
                    ? Sql.addresses(db, id).stream().filter(a -> a.status() == RecipientStatus.PENDING || a.status() == RecipientStatus.DEFERRED)
                        .map(Address::seq).toList()
                    : java.util.Arrays.stream(carried.get(i).split(" ")).map(Integer::valueOf).toList();
            if (seqs.isEmpty()) {
                // a row planned before addresses were stored that had none of its own (no To): as it was settled before
                update("UPDATE recipients SET status = 'unknown', reason = ?, updated_at = ? WHERE id = ? AND status IN ('pending', 'deferred')",
                        lost.failure(), Timestamp.from(now), id);
                continue;
            }
            for (int seq : seqs) markAddress(id, seq, lost, now, true);
            rollUp(id, Sql.addresses(db, id), now, 0, "status IN ('pending', 'deferred')");
        }
        Sql.update(db, "UPDATE attempts SET in_flight = FALSE, status = 'unknown', finished_at = ? WHERE in_flight AND recipient_id IN"
                + " (SELECT id FROM recipients WHERE job_id = ?)", Timestamp.from(now), jobId);
        db.commit();
        return rows.size();
    }

    /** Makes the job's addresses in {@code from} due again (resume --resend-unknown / --retry-failed); returns how many. */
    public int requeue(long jobId, RecipientStatus from, Instant now) throws SQLException {
        List<Long> rows = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT DISTINCT a.recipient_id FROM addresses a JOIN recipients r ON r.id = a.recipient_id"
                + " WHERE r.job_id = ? AND a.status = ? AND r.status <> 'skipped'")) {
            Sql.bind(ps, jobId, from.label());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) rows.add(rs.getLong(1));
            }
        }
        int n = 0;
        for (long id : rows) {
            n += Sql.update(db, "UPDATE addresses SET status = 'pending', not_before = NULL WHERE recipient_id = ? AND status = ?", id, from.label());
            rollUp(id, Sql.addresses(db, id), now, 0, "status <> 'skipped'");
        }
        db.commit();
        return n;
    }
}
