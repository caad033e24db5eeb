package io.mailroom.store;

import io.mailroom.csv.CsvLine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The JDBC plumbing the store's classes share: binding, updates, generated keys, the recipient row mapper. */
final class Sql {
    private Sql() { }

    /** The recipients {@code where} selects ("r WHERE …"), each with its addresses. */
    static List<Recipient> recipients(Connection db, String where, Object... args) throws SQLException {
        List<Recipient> out = new ArrayList<>();
        Map<Long, List<Address>> addresses = new HashMap<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT r.* FROM recipients " + where)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(recipient(rs, List.of()));
            }
        }
        // by id, a chunk at a time: the primary key finds them, where repeating the rows' condition would scan
        for (int from = 0; from < out.size(); from += 500) {
            List<Recipient> chunk = out.subList(from, Math.min(out.size(), from + 500));
            String marks = String.join(", ", java.util.Collections.nCopies(chunk.size(), "?"));
            try (PreparedStatement ps = db.prepareStatement("SELECT * FROM addresses WHERE recipient_id IN (" + marks + ") ORDER BY recipient_id, seq")) {
                bind(ps, chunk.stream().map(Recipient::id).toArray());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) addresses.computeIfAbsent(rs.getLong("recipient_id"), id -> new ArrayList<>()).add(address(rs));
                }
            }
        }
        out.replaceAll(r -> new Recipient(r.id(), r.row(), r.key(), r.values(), r.to(), r.messageId(), r.status(), r.reason(), r.attempts(),
                r.notBefore(), r.firstAttemptAt(), r.reply(), addresses.getOrDefault(r.id(), List.of())));
        return out;
    }

    /** One recipient's addresses, in envelope order. */
    static List<Address> addresses(Connection db, long recipientId) throws SQLException {
        List<Address> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT * FROM addresses WHERE recipient_id = ? ORDER BY seq")) {
            bind(ps, recipientId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(address(rs));
            }
        }
        return out;
    }

    private static Address address(ResultSet rs) throws SQLException {
        return new Address(rs.getInt("seq"), rs.getString("kind"), rs.getString("address"), RecipientStatus.of(rs.getString("status")),
                rs.getInt("attempts"), instant(rs.getTimestamp("first_attempt_at")), instant(rs.getTimestamp("last_attempt_at")),
                instant(rs.getTimestamp("not_before")), reply(rs), rs.getString("failure"));
    }

    private static StoredReply reply(ResultSet rs) throws SQLException {
        int code = rs.getInt("reply_code");
        return rs.wasNull() ? null : new StoredReply(code, rs.getString("reply_enhanced"), rs.getString("reply_text"));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static Recipient recipient(ResultSet rs, List<Address> addresses) throws SQLException {
        String to = rs.getString("to_addresses");
        return new Recipient(rs.getLong("id"), rs.getInt("row_no"), rs.getString("rkey"), CsvLine.decode(rs.getString("row_values")),
                to == null || to.isEmpty() ? List.of() : List.of(to.split("\n")), rs.getString("message_id"),
                RecipientStatus.of(rs.getString("status")), rs.getString("reason"), rs.getInt("attempts"), instant(rs.getTimestamp("not_before")),
                instant(rs.getTimestamp("first_attempt_at")), reply(rs), addresses);
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

    /** The one number {@code sql} selects. */
    static long longValue(Connection db, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new SQLException("no row: " + sql);
                return rs.getLong(1);
            }
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
