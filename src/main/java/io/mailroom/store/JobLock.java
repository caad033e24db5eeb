package io.mailroom.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The right to send one job, held by one process at a time: a row lock on the job's name, taken in its
 * own connection and kept until {@link #close()}. The database releases it when the holder's connection
 * or process dies, so a lock is never left behind by a crash.
 */
public final class JobLock implements AutoCloseable {
    /** How long a second process waits for the lock before it gives up (exit 75). */
    static final int WAIT_MILLIS = 2000;
    /** Workers sharing a job hold its lock while they plan it: another waits until that plan ends, a million rows in minutes. */
    static final int WORKER_WAIT_MILLIS = 15 * 60 * 1000;

    private final Connection connection;

    private JobLock(Connection connection) {
        this.connection = connection;
    }

    /** Takes the lock, waiting up to {@code waitMillis}, or throws {@link JobBusyException} when another process holds it. */
    static JobLock take(Database database, String job, int waitMillis) throws SQLException, JobBusyException {
        Connection c = database.connect();
        try {
            c.setAutoCommit(true);
            try (var st = c.createStatement()) {
                // PostgreSQL: 0 would mean wait for ever
                st.execute(database.isH2() ? "SET LOCK_TIMEOUT " + waitMillis : "SET lock_timeout = " + Math.max(1, waitMillis));
            }
            SQLException notInserted = null;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO job_locks (name) VALUES (?)")) {
                ps.setString(1, job);
                ps.executeUpdate();
            } catch (SQLException alreadyThere) {
                // the row exists (or another process is adding it): the FOR UPDATE below settles who holds it
                notInserted = alreadyThere;
            }
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT name FROM job_locks WHERE name = ? FOR UPDATE")) {
                ps.setString(1, job);
                try (ResultSet rs = ps.executeQuery()) {
                    // FOR UPDATE on no row locks nothing: an INSERT that failed for another reason must not pass for the lock
                    if (!rs.next()) throw new SQLException("job " + job + " has no row in job_locks to lock", notInserted);
                }
            } catch (SQLException e) {
                if (isLockTimeout(e)) throw new JobBusyException(job);
                throw e;
            }
            return new JobLock(c);
        } catch (SQLException | JobBusyException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private static boolean isLockTimeout(SQLException e) {
        // H2: 50200 LOCK_TIMEOUT_1, 40001 deadlock; PostgreSQL: 55P03 lock_not_available
        return e.getErrorCode() == 50200 || "40001".equals(e.getSQLState()) || "55P03".equals(e.getSQLState())
                || "HYT00".equals(e.getSQLState());
    }

    /** Closes once; a worker's planning thread may close it before the command does. */
    @Override
    public synchronized void close() throws SQLException {
        if (connection.isClosed()) return;
        try {
            connection.rollback();
        } finally {
            connection.close();
        }
    }
}
