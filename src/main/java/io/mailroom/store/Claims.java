package io.mailroom.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One worker's share of a job that several workers send from one PostgreSQL database: the worker's lease
 * (renewed by {@link #heartbeat}), the rows it claims a few at a time ({@code FOR UPDATE SKIP LOCKED}, so
 * no row is ever in two workers' hands), the mark it makes before a row's final "." goes out, and the
 * settling of dead workers' rows: once a worker's lease has passed, a row it had marked is unknown (its
 * final "." may have been answered), any other goes back to due. A worker that lost its lease can mark
 * and record nothing more: every statement here and the store's outcome statements name the worker.
 * Runs on a connection of its own, in auto-commit: each mark is durable before the caller goes on.
 */
public final class Claims implements AutoCloseable {
    /** A worker as status and reports show it. */
    public record Worker(String id, String host, Instant startedAt, Instant heartbeatAt, Instant leaseUntil, Instant stoppedAt, int sent) {
        /** At {@code now}: "running" (its lease holds), "stopped" (it ended and said so) or "gone" (its lease passed: it died or was cut off). */
        public String state(Instant now) {
            return stoppedAt != null ? "stopped" : leaseUntil.isBefore(now) ? "gone" : "running";
        }
    }

    private final Connection db;
    private final String worker;
    private final long jobId;
    private final Duration lease;
    private final String host;

    private Claims(Connection db, String worker, String host, long jobId, Duration lease) {
        this.db = db;
        this.host = host;
        this.worker = worker;
        this.jobId = jobId;
        this.lease = lease;
    }

    /** How long a worker that stopped renewing keeps its rows from the others; its heartbeat renews four times as often. */
    public static final Duration LEASE = Duration.ofSeconds(60);

    /** Registers this process as a new worker on job {@code jobId} (this host, pid and a random part), leased until {@code now + lease}. */
    public static Claims register(Database database, long jobId, Instant now, Duration lease) throws SQLException {
        String host = thisHost();
        long pid = ProcessHandle.current().pid();
        // a file-name part too (its flight journal's), without dots: they separate the job's name from it
        String worker = (host.replaceAll("[^A-Za-z0-9-]", "_") + "-" + pid + "-" + Long.toHexString(new java.security.SecureRandom().nextLong() & 0xffffff));
        return register(database, jobId, worker, host, pid, now, lease);
    }

    private static String thisHost() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (java.io.IOException | RuntimeException e) {
            String env = System.getenv("HOSTNAME");
            return env != null ? env : "localhost";
        }
    }

    /** Registers worker {@code worker} (host, pid) on job {@code jobId}, leased until {@code now + lease}. */
    static Claims register(Database database, long jobId, String worker, String host, long pid, Instant now, Duration lease) throws SQLException {
        Connection c = database.connect();
        try {
            c.setAutoCommit(true);
            Sql.update(c, "INSERT INTO workers (id, job_id, host, pid, started_at, heartbeat_at, lease_until) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    worker, jobId, host, pid, Timestamp.from(now), Timestamp.from(now), Timestamp.from(now.plus(lease)));
            return new Claims(c, worker, host, jobId, lease);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    public String worker() { return worker; }

    public Duration lease() { return lease; }

    /**
     * Whether worker {@code other} of this job is gone: stopped, its lease passed, or it ran on this host as a
     * process that no longer exists (its lease then ends now, so its rows need not wait for it to pass).
     */
    public synchronized boolean endIfGone(String other, Instant now) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT host, pid, lease_until, stopped_at FROM workers WHERE id = ?")) {
            Sql.bind(ps, other);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return true;
                if (rs.getTimestamp(4) != null || rs.getTimestamp(3).toInstant().isBefore(now)) return true;
                if (!rs.getString(1).equals(host) || ProcessHandle.of(rs.getLong(2)).isPresent()) return false;
            }
        }
        Sql.update(db, "UPDATE workers SET lease_until = ? WHERE id = ? AND lease_until > ?", Timestamp.from(now.minusMillis(1)), other, Timestamp.from(now));
        return true;
    }

    /** Renews the lease; false when it had already passed (others may have settled this worker's rows: it must stop). */
    public synchronized boolean heartbeat(Instant now) throws SQLException {
        return Sql.update(db, "UPDATE workers SET heartbeat_at = ?, lease_until = ? WHERE id = ? AND lease_until >= ? AND stopped_at IS NULL",
                Timestamp.from(now), Timestamp.from(now.plus(lease)), worker, Timestamp.from(now)) == 1;
    }

    /**
     * Claims up to {@code size} due rows of the job with {@code status} (pending; or deferred and due at
     * {@code now}) that no live worker holds and no dead one had marked, in row order; returns their ids.
     */
    public synchronized List<Long> claim(RecipientStatus status, Instant now, int size) throws SQLException {
        String due = status == RecipientStatus.DEFERRED ? " AND (r.not_before IS NULL OR r.not_before <= ?)" : "";
        List<Object> args = new ArrayList<>(List.of(worker, jobId, status.label()));
        if (!due.isEmpty()) args.add(Timestamp.from(now));
        args.add(Timestamp.from(now));
        args.add(size);
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("UPDATE recipients SET claimed_by = ?, dot_at = NULL WHERE id IN (SELECT r.id FROM recipients r"
                + " WHERE r.job_id = ? AND r.status = ?" + due + " AND (r.claimed_by IS NULL OR r.dot_at IS NULL AND r.claimed_by IN"
                + " (SELECT w.id FROM workers w WHERE w.lease_until < ?)) ORDER BY r.job_id, r.status, r.row_no, r.id LIMIT ? FOR UPDATE SKIP LOCKED)"
                + " RETURNING id")) {
            Sql.bind(ps, args.toArray());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) ids.add(rs.getLong(1));
            }
        }
        ids.sort(null);
        return ids;
    }

    /** What other workers hold of the job's rows still due: nothing, rows of live workers only, or rows of one that is gone too. */
    public enum Held { NOTHING, BY_LIVE_WORKERS, BY_A_GONE_WORKER }

    /** Who holds the job's due rows this worker doesn't: gone is a passed lease, or a process of this host that no longer exists. */
    public synchronized Held othersHold(Instant now) throws SQLException {
        Held held = Held.NOTHING;
        try (PreparedStatement ps = db.prepareStatement("SELECT w.host, w.pid, w.lease_until FROM workers w WHERE w.id IN (SELECT r.claimed_by"
                + " FROM recipients r WHERE r.job_id = ? AND r.status IN ('pending', 'deferred') AND r.claimed_by <> ?)")) {
            Sql.bind(ps, jobId, worker);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    boolean gone = rs.getTimestamp(3).toInstant().isBefore(now) || rs.getString(1).equals(host) && ProcessHandle.of(rs.getLong(2)).isEmpty();
                    if (gone) return Held.BY_A_GONE_WORKER;
                    held = Held.BY_LIVE_WORKERS;
                }
            }
        }
        return held;
    }

    /** Records, durably, that the row's final "." goes out next; false when this worker no longer holds it (the "." must not go). */
    public synchronized boolean markDot(long recipientId, Instant now) throws SQLException {
        return Sql.update(db, "UPDATE recipients SET dot_at = ? WHERE id = ? AND claimed_by = ? AND EXISTS (SELECT 1 FROM workers w"
                + " WHERE w.id = ? AND w.lease_until >= ?)", Timestamp.from(now), recipientId, worker, worker, Timestamp.from(now)) == 1;
    }

    /**
     * The rows of workers whose lease has passed: each one they had marked (its "." may have gone out) has its
     * due addresses made unknown; the others are simply claimable again. Returns the addresses made unknown.
     */
    public synchronized int settleDead(Instant now) throws SQLException {
        List<Long> marked = new ArrayList<>();
        db.setAutoCommit(false);
        try {
            try (PreparedStatement ps = db.prepareStatement("SELECT r.id FROM recipients r WHERE r.job_id = ? AND r.dot_at IS NOT NULL"
                    + " AND r.claimed_by IN (SELECT w.id FROM workers w WHERE w.lease_until < ?) FOR UPDATE SKIP LOCKED")) {
                Sql.bind(ps, jobId, Timestamp.from(now));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) marked.add(rs.getLong(1));
                }
            }
            int unknown = 0;
            Attempts attempts = new Attempts(db);
            Outcome lost = new Outcome(RecipientStatus.UNKNOWN, null, "the worker that held it stopped after recording that its final \".\" goes"
                    + " out, and before its reply was recorded; the server may have accepted the message", null);
            for (long id : marked) {
                List<Integer> due = Sql.addresses(db, id).stream().filter(a -> a.status() == RecipientStatus.PENDING
                        || a.status() == RecipientStatus.DEFERRED).map(Address::seq).toList();
                if (due.isEmpty()) {
                    Sql.update(db, "UPDATE recipients SET claimed_by = NULL, dot_at = NULL WHERE id = ?", id);
                    continue;
                }
                attempts.markWithoutAttempt(id, due, lost, now);
                unknown += due.size();
            }
            db.commit();
            return unknown;
        } catch (SQLException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(true);
        }
    }

    /** The run is over: rows claimed and never marked go back (a marked one has its outcome stored by now), and the worker stops. */
    public synchronized void release(Instant now) throws SQLException {
        Sql.update(db, "UPDATE recipients SET claimed_by = NULL WHERE claimed_by = ? AND dot_at IS NULL", worker);
        Sql.update(db, "UPDATE workers SET stopped_at = ?, heartbeat_at = ? WHERE id = ?", Timestamp.from(now), Timestamp.from(now), worker);
    }

    /** The workers of job {@code jobId}, newest first, with the addresses each one's runs sent. */
    public static List<Worker> workers(Connection db, long jobId) throws SQLException {
        List<Worker> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT w.id, w.host, w.started_at, w.heartbeat_at, w.lease_until, w.stopped_at,"
                + " (SELECT COUNT(*) FROM attempts a JOIN runs u ON u.id = a.run_id WHERE u.worker_id = w.id AND a.status IN ('sent', 'partial'))"
                + " FROM workers w WHERE w.job_id = ? ORDER BY w.started_at DESC, w.id")) {
            Sql.bind(ps, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Worker(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant(), rs.getTimestamp(4).toInstant(),
                            rs.getTimestamp(5).toInstant(), rs.getTimestamp(6) == null ? null : rs.getTimestamp(6).toInstant(), rs.getInt(7)));
                }
            }
        }
        return out;
    }

    @Override
    public void close() throws SQLException {
        db.close();
    }
}
