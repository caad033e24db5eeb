package io.mailroom.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The bounces read back for a job (V16): which mailbox messages were read (by the SHA-256 of their bytes, so one
 * read twice changes nothing), what each said about which address, and the sent addresses a hard bounce made
 * {@code bounced}. Writes are the caller's to commit: one message's changes in one transaction, committed before the
 * message leaves the mailbox.
 */
public final class BounceLog {
    /** One of the job's addresses a bounce may be about: its row's Message-ID tells two rows to one address apart. */
    public record Candidate(long recipientId, int seq, String address, RecipientStatus status, String messageId) { }

    /** What a bounce said about one address. action: failed | delayed (RFC 3464). */
    public record Event(long recipientId, int seq, String action, String status, String diagnostic, String reportingMta, Instant arrivedAt) { }

    private final Connection db;

    BounceLog(Connection db) {
        this.db = db;
    }

    /** When the message with this key was read for the job already, how many addresses it was put on. */
    public java.util.Optional<Integer> seen(long jobId, String messageKey) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT matched FROM bounce_messages WHERE job_id = ? AND message_key = ?")) {
            Sql.bind(ps, jobId, messageKey);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? java.util.Optional.of(rs.getInt(1)) : java.util.Optional.empty();
            }
        }
    }

    /** The job's addresses that are {@code address} (compared as stored: lower case), in row order. */
    public List<Candidate> addresses(long jobId, String address) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT a.recipient_id, a.seq, a.address, a.status, r.message_id FROM recipients r"
                + " JOIN addresses a ON a.recipient_id = r.id WHERE r.job_id = ? AND LOWER(a.address) = ? ORDER BY r.row_no, a.seq")) {
            Sql.bind(ps, jobId, address.toLowerCase(java.util.Locale.ROOT));
            return candidates(ps);
        }
    }

    /** The addresses of row {@code recipientId} (a VERP token names the row), in envelope order. */
    public List<Candidate> addressesOfRow(long recipientId) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT a.recipient_id, a.seq, a.address, a.status, r.message_id FROM recipients r"
                + " JOIN addresses a ON a.recipient_id = r.id WHERE r.id = ? ORDER BY a.seq")) {
            Sql.bind(ps, recipientId);
            return candidates(ps);
        }
    }

    /**
     * Whether row {@code recipientId} of the job was attempted with ENVID {@code envid} (V18): what makes an
     * Original-Envelope-Id the job's, and not another job's or database's that names the same row number.
     */
    public boolean sentWithEnvid(long jobId, long recipientId, String envid) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT 1 FROM attempts a JOIN recipients r ON r.id = a.recipient_id"
                + " WHERE a.recipient_id = ? AND a.envid = ? AND r.job_id = ?")) {
            Sql.bind(ps, recipientId, envid, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The rows of recipient_id, seq, address, status, message_id. */
    private static List<Candidate> candidates(PreparedStatement ps) throws SQLException {
        List<Candidate> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(new Candidate(rs.getLong(1), rs.getInt(2), rs.getString(3), RecipientStatus.of(rs.getString(4)), rs.getString(5)));
        }
        return out;
    }

    /** Records that the message was read, what it was and how many addresses it was put on; returns its row's id. */
    public long read(long jobId, String messageKey, Instant now, String kind, int matched, String subject, String note) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO bounce_messages (job_id, message_key, read_at, kind, matched, subject, note)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
            Sql.bind(ps, jobId, messageKey, Timestamp.from(now), kind, matched, cap(subject, 1000), cap(note, 1000));
            ps.executeUpdate();
            return Sql.generatedKey(ps);
        }
    }

    /** Records what message {@code messageRow} said about an address. */
    public void event(long messageRow, Event e) throws SQLException {
        Sql.update(db, "INSERT INTO bounce_events (bounce_message_id, recipient_id, seq, action, status, diagnostic, reporting_mta, arrived_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", messageRow, e.recipientId(), e.seq(), e.action(), cap(e.status(), 20), cap(e.diagnostic(), 1000),
                cap(e.reportingMta(), 300), e.arrivedAt() == null ? null : Timestamp.from(e.arrivedAt()));
    }

    /** What bounces said about the job's addresses, oldest first. */
    public List<Event> events(long jobId) throws SQLException {
        List<Event> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT e.recipient_id, e.seq, e.action, e.status, e.diagnostic, e.reporting_mta, e.arrived_at"
                + " FROM bounce_events e JOIN recipients r ON r.id = e.recipient_id WHERE r.job_id = ? ORDER BY e.id")) {
            Sql.bind(ps, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp at = rs.getTimestamp(7);
                    out.add(new Event(rs.getLong(1), rs.getInt(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                            at == null ? null : at.toInstant()));
                }
            }
        }
        return out;
    }

    /** Every address a bounce made bounced, in any job, lower case, with when and why: what recipients.suppress-bounced keeps out. */
    public java.util.Map<String, String> bouncedAddresses() throws SQLException {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT LOWER(a.address), j.name, a.failure FROM addresses a JOIN recipients r ON r.id = a.recipient_id"
                + " JOIN jobs j ON j.id = r.job_id WHERE a.status = 'bounced' ORDER BY r.id")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.putIfAbsent(rs.getString(1), "hard-bounced in job " + rs.getString(2) + " (" + rs.getString(3) + ")");
            }
        }
        return out;
    }

    /** The messages read for the job that were put on no address (auto-replies, unmatched, unreadable): kind, subject and why, oldest first. */
    public List<String[]> unmatched(long jobId) throws SQLException {
        List<String[]> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT kind, subject, note FROM bounce_messages WHERE job_id = ? AND matched = 0 ORDER BY id")) {
            Sql.bind(ps, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
            }
        }
        return out;
    }

    private static String cap(String s, int most) {
        return s == null || s.length() <= most ? s : s.substring(0, most - 3) + "...";
    }
}
