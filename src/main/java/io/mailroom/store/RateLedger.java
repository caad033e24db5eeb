package io.mailroom.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages rate-limited runs start through one sending account, shared by every process that sends
 * through it: the workers of a job in PostgreSQL, and runs of other jobs on the account. A message is
 * counted here before it goes, under a lock on the account's row, so that no two senders both see room
 * for one more in a window and together exceed it. Runs on a connection of its own.
 */
public final class RateLedger implements AutoCloseable {
    /** A message as rate limits count it: when it started and how many addresses its envelope carried. */
    public record Send(Instant at, int recipients) { }

    /** Given the sends counted since the sender last looked, how long its message must wait; zero: it goes now (and is counted). */
    public interface Decision {
        Duration waitAfter(List<Send> newer);
    }

    private final Connection db;
    private final String account;
    private final long jobId;
    private final boolean jobOnly;
    private final Duration keep;
    /** The newest send this ledger has handed out or counted; ids grow in the order sends are counted, under the account's lock. */
    private long seen = -1;

    private RateLedger(Connection db, String account, long jobId, boolean jobOnly, Duration keep) {
        this.db = db;
        this.account = account;
        this.jobId = jobId;
        this.jobOnly = jobOnly;
        this.keep = keep;
    }

    /**
     * The ledger of {@code account} as job {@code jobId} counts it: every job's sends through the account, or
     * its own alone when {@code jobOnly}; {@code keep}: its longest window.
     */
    public static RateLedger open(Database database, String account, long jobId, boolean jobOnly, Duration keep) throws SQLException {
        Connection c = database.connect();
        c.setAutoCommit(false);
        return new RateLedger(c, account, jobId, jobOnly, keep);
    }

    /**
     * One step under the account's lock: {@code decide} is given the sends counted since the last call (on the first,
     * those of the last {@code keep}); when it says zero, a send of {@code recipients} at {@code now} is counted.
     * Returns what it said.
     */
    public synchronized Duration take(Instant now, int recipients, Decision decide) throws SQLException {
        try {
            long kept = lockAccount();
            List<Send> newer;
            if (seen < 0) {
                Sql.update(db, "DELETE FROM rate_sends WHERE account = ? AND sent_at < ?", account, Timestamp.from(now.minusSeconds(kept)));
                newer = inWindow(now);
            } else {
                newer = newer();
            }
            Duration wait = decide.waitAfter(newer);
            if (wait.isZero()) {
                try (PreparedStatement ps = db.prepareStatement("INSERT INTO rate_sends (account, job_id, sent_at, recipients) VALUES (?, ?, ?, ?)",
                        Statement.RETURN_GENERATED_KEYS)) {
                    Sql.bind(ps, account, jobId, Timestamp.from(now), recipients);
                    ps.executeUpdate();
                    seen = Sql.generatedKey(ps);
                }
            }
            db.commit();
            return wait;
        } catch (SQLException e) {
            db.rollback();
            throw e;
        }
    }

    /**
     * Locks the account's row (made on first use), raising how long its sends are kept to this ledger's
     * {@code keep}; returns that, in seconds.
     */
    private long lockAccount() throws SQLException {
        String raise = "UPDATE rate_accounts SET keep_seconds = GREATEST(keep_seconds, ?) WHERE account = ?";
        if (Sql.update(db, raise, keep.toSeconds(), account) == 0) {
            try {
                Sql.update(db, "INSERT INTO rate_accounts (account, keep_seconds) VALUES (?, ?)", account, keep.toSeconds());
            } catch (SQLException e) {
                if (!"23505".equals(e.getSQLState())) throw e;
                // another sender made it first: its row is the one to lock
                db.rollback();
                Sql.update(db, raise, keep.toSeconds(), account);
            }
        }
        return Sql.longValue(db, "SELECT keep_seconds FROM rate_accounts WHERE account = ?", account);
    }

    /** The first look: the sends of the last {@code keep}; everything counted so far is seen. */
    private List<Send> inWindow(Instant now) throws SQLException {
        List<Send> out = sends(db, account, jobId, jobOnly, now.minus(keep));
        seen = Sql.longValue(db, "SELECT COALESCE(MAX(id), 0) FROM rate_sends WHERE account = ?", account);
        return out;
    }

    /** The sends counted since the last look. */
    private List<Send> newer() throws SQLException {
        List<Send> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT id, sent_at, recipients, job_id FROM rate_sends WHERE account = ? AND id > ? ORDER BY id")) {
            Sql.bind(ps, account, seen);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    seen = rs.getLong(1);
                    if (!jobOnly || rs.getLong(4) == jobId) out.add(new Send(rs.getTimestamp(2).toInstant(), rs.getInt(3)));
                }
            }
        }
        return out;
    }

    /** The sends counted for {@code account} (job {@code jobId}'s alone when {@code jobOnly}) after {@code since}. */
    static List<Send> sends(Connection db, String account, long jobId, boolean jobOnly, Instant since) throws SQLException {
        List<Send> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT sent_at, recipients FROM rate_sends WHERE account = ?" + (jobOnly ? " AND job_id = ?" : "")
                + " AND sent_at > ?")) {
            if (jobOnly) Sql.bind(ps, account, jobId, Timestamp.from(since));
            else Sql.bind(ps, account, Timestamp.from(since));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new Send(rs.getTimestamp(1).toInstant(), rs.getInt(2)));
            }
        }
        return out;
    }

    @Override
    public void close() throws SQLException {
        db.close();
    }
}
