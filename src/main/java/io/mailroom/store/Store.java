package io.mailroom.store;

import io.mailroom.csv.CsvLine;
import io.mailroom.smtp.Exchange;
import io.mailroom.smtp.SmtpReply;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flywaydb.core.Flyway;

/**
 * The job database: jobs with their snapshot, recipients, runs, attempts and every reply. The schema is
 * migrated by Flyway on open. Each state change is its own committed transaction; the attempt is written
 * ahead (in flight) before the first command of a transaction, and its outcome and the recipient's new
 * status are committed together. Marking a recipient that is not in flight is a bug and throws.
 */
public final class Store implements AutoCloseable {
    private final Connection db;
    private final String url;

    private Store(Connection db, String url) {
        this.db = db;
        this.url = url;
    }

    /** Takes the right to send {@code job}; see {@link JobLock}. */
    public JobLock lock(String job) throws SQLException, JobBusyException {
        return JobLock.take(url, job);
    }

    /** Opens (creating if needed) and migrates the database at {@code url}. */
    public static Store open(String url) throws SQLException, DatabaseBusyException {
        Connection c;
        try {
            c = DriverManager.getConnection(url, "", "");
        } catch (SQLException e) {
            // H2 90020: the file is open in another process without AUTO_SERVER
            if (e.getErrorCode() == 90020) throw new DatabaseBusyException(url, e);
            throw e;
        }
        Flyway.configure().dataSource(url, "", "").locations("classpath:db/migration").load().migrate();
        if (url.startsWith("jdbc:h2:")) {
            // H2 writes commits to its file in the background after up to WRITE_DELAY (500 ms); a kill in
            // that window would lose a committed outcome. 0 writes each commit before commit() returns.
            try (Statement st = c.createStatement()) {
                st.execute("SET WRITE_DELAY 0");
            }
        }
        c.setAutoCommit(false);
        return new Store(c, url);
    }

    public Optional<JobRecord> job(String name) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT * FROM jobs WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(job(rs)) : Optional.empty();
            }
        }
    }

    public List<JobRecord> jobs() throws SQLException {
        List<JobRecord> jobs = new ArrayList<>();
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM jobs ORDER BY name")) {
            while (rs.next()) jobs.add(job(rs));
        }
        return jobs;
    }

    public JobRecord createJob(String name, Instant now, String source, String settings, List<String> header, String keyColumn)
            throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(
                "INSERT INTO jobs (name, created_at, source, settings, csv_header, key_column) VALUES (?, ?, ?, ?, ?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, name);
            ps.setTimestamp(2, Timestamp.from(now));
            ps.setString(3, source);
            ps.setString(4, settings);
            ps.setString(5, CsvLine.encode(header));
            ps.setString(6, keyColumn);
            ps.executeUpdate();
            return new JobRecord(generatedKey(ps), name, now, source, settings, header, keyColumn);
        }
    }

    public void updateSettings(long jobId, String settings) throws SQLException {
        update("UPDATE jobs SET settings = ? WHERE id = ?", settings, jobId);
    }

    public void putFile(long jobId, String kind, String name, byte[] content) throws SQLException {
        if (file(jobId, kind, name).isPresent()) return;
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO job_files (job_id, kind, name, content) VALUES (?, ?, ?, ?)")) {
            ps.setLong(1, jobId);
            ps.setString(2, kind);
            ps.setString(3, name);
            ps.setBytes(4, content);
            ps.executeUpdate();
        }
    }

    public void deleteFiles(long jobId, String kind) throws SQLException {
        update("DELETE FROM job_files WHERE job_id = ? AND kind = ?", jobId, kind);
    }

    public Optional<byte[]> file(long jobId, String kind, String name) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT content FROM job_files WHERE job_id = ? AND kind = ? AND name = ?")) {
            ps.setLong(1, jobId);
            ps.setString(2, kind);
            ps.setString(3, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
            }
        }
    }

    public List<String> fileNames(long jobId, String kind) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT name FROM job_files WHERE job_id = ? AND kind = ? ORDER BY name")) {
            ps.setLong(1, jobId);
            ps.setString(2, kind);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) names.add(rs.getString(1));
            }
        }
        return names;
    }

    /** A row skipped under its placeholder key ("#row-N") that now plans under its real key is dropped. */
    public void dropSyntheticSkip(long jobId, int row) throws SQLException {
        update("DELETE FROM recipients WHERE job_id = ? AND rkey = ? AND status = 'skipped'", jobId, "#row-" + row);
    }

    public boolean hasSyntheticSkips(long jobId) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT 1 FROM recipients WHERE job_id = ? AND rkey LIKE '#row-%' LIMIT 1")) {
            ps.setLong(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    public Optional<Recipient> recipientByKey(long jobId, String key) throws SQLException {
        List<Recipient> found = recipients("r WHERE job_id = ? AND rkey = ?", jobId, key);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    public void insertRecipient(long jobId, NewRecipient r, Instant now) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO recipients (job_id, row_no, rkey, row_values, to_addresses,"
                + " message_id, status, reason, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, jobId);
            ps.setInt(2, r.row());
            ps.setString(3, r.key());
            ps.setString(4, CsvLine.encode(r.values()));
            ps.setString(5, String.join("\n", r.to()));
            ps.setString(6, r.messageId());
            ps.setString(7, r.status().label());
            ps.setString(8, r.reason());
            ps.setTimestamp(9, Timestamp.from(now));
            ps.executeUpdate();
        }
    }

    /** Replaces the snapshot of a recipient that was skipped and never sent, when its row comes back fixed. */
    public void replanSkipped(long recipientId, NewRecipient r, Instant now) throws SQLException {
        int n = update("UPDATE recipients SET row_no = ?, row_values = ?, to_addresses = ?, message_id = ?, status = ?, reason = ?,"
                + " updated_at = ? WHERE id = ? AND status = 'skipped'", r.row(), CsvLine.encode(r.values()), String.join("\n", r.to()),
                r.messageId(), r.status().label(), r.reason(), Timestamp.from(now), recipientId);
        if (n != 1) throw new IllegalStateException("recipient " + recipientId + " is not skipped; its snapshot stays");
    }

    public void commit() throws SQLException { db.commit(); }

    public void rollback() throws SQLException { db.rollback(); }

    private static final String DUE = "(r.status = 'pending' OR (r.status = 'deferred' AND (r.not_before IS NULL OR r.not_before <= ?)))"
            + " AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.recipient_id = r.id AND a.in_flight)";

    /**
     * The ids of every recipient that may be sent now, in row order: pending, or deferred and due; never
     * one with an attempt in flight. One sort per call, so a sender walks a large job in batches by id.
     */
    public List<Long> dueIds(long jobId, Instant now) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT r.id FROM recipients r WHERE r.job_id = ? AND " + DUE + " ORDER BY r.row_no, r.id")) {
            bind(ps, jobId, Timestamp.from(now));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    /** These recipients, in row order, leaving out any that stopped being due since their ids were read. */
    public List<Recipient> dueByIds(List<Long> ids, Instant now) throws SQLException {
        if (ids.isEmpty()) return List.of();
        String marks = String.join(", ", java.util.Collections.nCopies(ids.size(), "?"));
        List<Object> args = new ArrayList<>(ids);
        args.add(Timestamp.from(now));
        return recipients("r WHERE r.id IN (" + marks + ") AND " + DUE + " ORDER BY r.row_no, r.id", args.toArray());
    }

    public List<Recipient> recipients(long jobId) throws SQLException {
        return recipients("r WHERE job_id = ? ORDER BY row_no, id", jobId);
    }

    /** When each attempt of the job since {@code since} started: what rate limits count. */
    public List<Instant> attemptTimes(long jobId, Instant since) throws SQLException {
        List<Instant> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT a.started_at FROM attempts a JOIN recipients r ON r.id = a.recipient_id"
                + " WHERE r.job_id = ? AND a.started_at > ?")) {
            bind(ps, jobId, Timestamp.from(since));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getTimestamp(1).toInstant());
            }
        }
        return out;
    }

    public Map<RecipientStatus, Integer> counts(long jobId) throws SQLException {
        Map<RecipientStatus, Integer> counts = new EnumMap<>(RecipientStatus.class);
        for (RecipientStatus s : RecipientStatus.values()) counts.put(s, 0);
        try (PreparedStatement ps = db.prepareStatement("SELECT status, COUNT(*) FROM recipients WHERE job_id = ? GROUP BY status")) {
            ps.setLong(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) counts.put(RecipientStatus.of(rs.getString(1)), rs.getInt(2));
            }
        }
        return counts;
    }

    public long beginRun(long jobId, String command, Instant now) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO runs (job_id, command, started_at) VALUES (?, ?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setLong(1, jobId);
            ps.setString(2, command);
            ps.setTimestamp(3, Timestamp.from(now));
            ps.executeUpdate();
            long id = generatedKey(ps);
            db.commit();
            return id;
        }
    }

    public void finishRun(long runId, int exitCode, Instant now) throws SQLException {
        update("UPDATE runs SET finished_at = ?, exit_code = ? WHERE id = ?", Timestamp.from(now), exitCode, runId);
        db.commit();
    }

    /**
     * Write-ahead: the attempt exists, in flight, before any command of its transaction is sent. The caller
     * commits it, at the latest before the message's content goes (pipelined, with the previous outcome).
     */
    public long beginAttempt(long recipientId, long runId, String connectionId, Instant now) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO attempts (recipient_id, run_id, connection_id, started_at, in_flight)"
                + " VALUES (?, ?, ?, ?, TRUE)", Statement.RETURN_GENERATED_KEYS)) {
            ps.setLong(1, recipientId);
            ps.setLong(2, runId);
            ps.setString(3, connectionId);
            ps.setTimestamp(4, Timestamp.from(now));
            ps.executeUpdate();
            return generatedKey(ps);
        }
    }

    /**
     * Records the attempt's replies and outcome and the recipient's new status in one transaction.
     * {@code decisive} is the reply that decided the status (null when none did, e.g. a connection failure).
     */
    public void finishAttempt(long attemptId, long recipientId, Outcome outcome, List<Exchange> exchanges, Instant now)
            throws SQLException {
        try {
            int seq = 0;
            try (PreparedStatement ps = db.prepareStatement("INSERT INTO attempt_replies (attempt_id, seq, step, argument, code, enhanced, text)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                for (Exchange e : exchanges) {
                    ps.setLong(1, attemptId);
                    ps.setInt(2, seq++);
                    ps.setString(3, e.step().name());
                    ps.setString(4, e.argument());
                    ps.setInt(5, e.reply().code());
                    ps.setString(6, e.reply().enhanced());
                    ps.setString(7, clip(e.reply().text()));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            int attempts = update("UPDATE attempts SET finished_at = ?, in_flight = FALSE, status = ?, failure = ? WHERE id = ? AND in_flight",
                    Timestamp.from(now), outcome.status().label(), clip(outcome.failure()), attemptId);
            if (attempts != 1) throw new IllegalStateException("attempt " + attemptId + " is not in flight; refusing to mark it twice");
            mark(recipientId, outcome, now, true);
            db.commit();
        } catch (SQLException | RuntimeException e) {
            db.rollback();
            throw e;
        }
    }

    /** Marks a recipient without an attempt (skipped at send time); the recipient must be due. */
    public void markWithoutAttempt(long recipientId, Outcome outcome, Instant now) throws SQLException {
        mark(recipientId, outcome, now, false);
        db.commit();
    }

    private void mark(long recipientId, Outcome o, Instant now, boolean attempted) throws SQLException {
        SmtpReply r = o.reply();
        int n = update("UPDATE recipients SET status = ?, reason = ?, attempts = attempts + ?, not_before = ?, reply_code = ?,"
                        + " reply_enhanced = ?, reply_text = ?, updated_at = ?, first_attempt_at = COALESCE(first_attempt_at, ?)"
                        + " WHERE id = ? AND status IN ('pending', 'deferred')",
                o.status().label(), clip(o.failure()), attempted ? 1 : 0, o.notBefore() == null ? null : Timestamp.from(o.notBefore()),
                r == null ? null : r.code(), r == null ? null : r.enhanced(), r == null ? null : clip(r.text()),
                Timestamp.from(now), attempted ? Timestamp.from(now) : null, recipientId);
        if (n != 1) throw new IllegalStateException("recipient " + recipientId + " is not pending or deferred; refusing to mark it twice");
    }

    /** Attempts a crash left in flight: their recipients become unknown (never resent silently). */
    public int settleInFlight(long jobId, Instant now) throws SQLException {
        int n = update("UPDATE recipients SET status = 'unknown', reason = 'the process stopped after starting this attempt;"
                + " the server may have accepted the message', updated_at = ? WHERE id IN (SELECT a.recipient_id FROM attempts a"
                + " JOIN recipients r ON r.id = a.recipient_id WHERE r.job_id = ? AND a.in_flight)", Timestamp.from(now), jobId);
        update("UPDATE attempts SET in_flight = FALSE, status = 'unknown', finished_at = ? WHERE in_flight AND recipient_id IN"
                + " (SELECT id FROM recipients WHERE job_id = ?)", Timestamp.from(now), jobId);
        db.commit();
        return n;
    }

    /** Makes recipients in {@code from} due again (resume --resend-unknown / --retry-failed). */
    public int requeue(long jobId, RecipientStatus from, Instant now) throws SQLException {
        int n = update("UPDATE recipients SET status = 'pending', not_before = NULL, updated_at = ? WHERE job_id = ? AND status = ?",
                Timestamp.from(now), jobId, from.label());
        db.commit();
        return n;
    }

    private List<Recipient> recipients(String where, Object... args) throws SQLException {
        List<Recipient> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT r.* FROM recipients " + where)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(recipient(rs));
            }
        }
        return out;
    }

    private static Recipient recipient(ResultSet rs) throws SQLException {
        int code = rs.getInt("reply_code");
        StoredReply reply = rs.wasNull() ? null : new StoredReply(code, rs.getString("reply_enhanced"), rs.getString("reply_text"));
        String to = rs.getString("to_addresses");
        Timestamp notBefore = rs.getTimestamp("not_before");
        Timestamp firstAttempt = rs.getTimestamp("first_attempt_at");
        return new Recipient(rs.getLong("id"), rs.getInt("row_no"), rs.getString("rkey"), CsvLine.decode(rs.getString("row_values")),
                to == null || to.isEmpty() ? List.of() : List.of(to.split("\n")), rs.getString("message_id"),
                RecipientStatus.of(rs.getString("status")), rs.getString("reason"), rs.getInt("attempts"),
                notBefore == null ? null : notBefore.toInstant(), firstAttempt == null ? null : firstAttempt.toInstant(), reply);
    }

    private static JobRecord job(ResultSet rs) throws SQLException {
        return new JobRecord(rs.getLong("id"), rs.getString("name"), rs.getTimestamp("created_at").toInstant(), rs.getString("source"),
                rs.getString("settings"), CsvLine.decode(rs.getString("csv_header")), rs.getString("key_column"));
    }

    private int update(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        }
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) ps.setNull(i + 1, Types.NULL);
            else ps.setObject(i + 1, args[i]);
        }
    }

    private static long generatedKey(PreparedStatement ps) throws SQLException {
        try (ResultSet keys = ps.getGeneratedKeys()) {
            if (!keys.next()) throw new SQLException("no generated key");
            return keys.getLong(1);
        }
    }

    private static String clip(String s) {
        return s == null || s.length() <= 4000 ? s : s.substring(0, 3997) + "...";
    }

    @Override
    public void close() throws SQLException {
        db.close();
    }
}
