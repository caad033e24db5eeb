package io.mailroom.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * Migration 7: rows planned before addresses were stored get them from what the row kept, its To
 * addresses, each with the row's status, attempts and reply. A row that may be sent again is marked so
 * that its next send completes its envelope (Cc, Bcc) from its snapshot. In Java because splitting the
 * stored To list portably is beyond plain SQL.
 */
final class AddressesFromRows implements JavaMigration {
    @Override public MigrationVersion getVersion() { return MigrationVersion.fromVersion("7"); }

    @Override public String getDescription() { return "addresses from rows"; }

    @Override public Integer getChecksum() { return 7; }

    @Override public boolean canExecuteInTransaction() { return true; }

    @Override
    public void migrate(Context context) throws SQLException {
        Connection db = context.getConnection();
        // the row kept only its first attempt's time; its latest is the last attempt that release recorded for it
        try (PreparedStatement rows = db.prepareStatement("SELECT id, to_addresses, status, attempts, first_attempt_at, not_before, reply_code,"
                + " reply_enhanced, reply_text, reason, (SELECT MAX(COALESCE(t.finished_at, t.started_at)) FROM attempts t"
                + " WHERE t.recipient_id = r.id) AS last_attempt_at FROM recipients r WHERE status <> 'skipped'"
                + " AND NOT EXISTS (SELECT 1 FROM addresses a WHERE a.recipient_id = r.id)");
             PreparedStatement insert = db.prepareStatement("INSERT INTO addresses (recipient_id, seq, kind, address, status, attempts,"
                     + " first_attempt_at, last_attempt_at, not_before, reply_code, reply_enhanced, reply_text, failure)"
                     + " VALUES (?, ?, 'to', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
             PreparedStatement incomplete = db.prepareStatement("UPDATE recipients SET envelope_complete = FALSE WHERE id = ?");
             ResultSet rs = rows.executeQuery()) {
            while (rs.next()) {
                String to = rs.getString("to_addresses");
                String status = rs.getString("status");
                int seq = 0;
                for (String address : to == null ? new String[0] : to.split("\n")) {
                    if (address.isEmpty()) continue;
                    Sql.bind(insert, rs.getLong("id"), ++seq, address, status, rs.getInt("attempts"), rs.getTimestamp("first_attempt_at"),
                            rs.getTimestamp("last_attempt_at"), rs.getTimestamp("not_before"), rs.getObject("reply_code"),
                            rs.getString("reply_enhanced"), rs.getString("reply_text"), rs.getString("reason"));
                    insert.addBatch();
                }
                // not only the unfinished: resume --retry-failed and --resend-unknown make failed and unknown rows due
                // again, and that release would have sent them to their whole envelope, Cc and Bcc included
                if (seq == 0 || !status.equals("sent")) {
                    incomplete.setLong(1, rs.getLong("id"));
                    incomplete.addBatch();
                }
            }
            insert.executeBatch();
            incomplete.executeBatch();
        }
    }
}
