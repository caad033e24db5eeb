package io.mailroom.store;

import io.mailroom.csv.CsvLine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/** The JDBC plumbing the store's classes share: binding, updates, generated keys, the recipient row mapper. */
final class Sql {
    private Sql() { }

    static List<Recipient> recipients(Connection db, String where, Object... args) throws SQLException {
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

    static int update(Connection db, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        }
    }

    static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) ps.setNull(i + 1, Types.NULL);
            else ps.setObject(i + 1, args[i]);
        }
    }

    static long generatedKey(PreparedStatement ps) throws SQLException {
        try (ResultSet keys = ps.getGeneratedKeys()) {
            if (!keys.next()) throw new SQLException("no generated key");
            return keys.getLong(1);
        }
    }

    /** Texts from servers and reasons quoting data are capped to the column size. */
    static String clip(String s) {
        return s == null || s.length() <= 4000 ? s : s.substring(0, 3997) + "...";
    }
}
