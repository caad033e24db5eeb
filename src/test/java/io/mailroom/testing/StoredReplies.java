package io.mailroom.testing;

import io.mailroom.smtp.Exchange;
import io.mailroom.smtp.SmtpReply;
import io.mailroom.smtp.Step;
import io.mailroom.store.ReplyLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What tests read of an attempt's replies, wherever the store keeps them: in the attempt's row (migration V9,
 * decoded by {@link ReplyLog}), or in attempt_replies for an attempt stored before, whose column is null.
 */
public final class StoredReplies {
    private StoredReplies() { }

    /**
     * The replies of each attempt {@code condition} selects (SQL over {@code attempts a} joined to its
     * {@code recipients r}, e.g. {@code "r.rkey = 'a@example.com'"}), in order, by attempt id in order.
     */
    public static Map<Long, List<Exchange>> of(Connection db, String condition) throws SQLException {
        Map<Long, List<Exchange>> out = new LinkedHashMap<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT a.id, a.replies FROM attempts a JOIN recipients r ON r.id = a.recipient_id"
                + " WHERE " + condition + " ORDER BY a.id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String column = rs.getString(2);
                out.put(rs.getLong(1), column == null ? fromTable(db, rs.getLong(1)) : ReplyLog.decode(column).exchanges());
            }
        }
        return out;
    }

    /** Every reply of every attempt, in attempt order then reply order. */
    public static List<Exchange> all(Connection db) throws SQLException {
        return of(db, "TRUE").values().stream().flatMap(List::stream).toList();
    }

    private static List<Exchange> fromTable(Connection db, long attemptId) throws SQLException {
        List<Exchange> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT step, argument, code, enhanced, text FROM attempt_replies WHERE attempt_id = ? ORDER BY seq")) {
            ps.setLong(1, attemptId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Exchange(Step.valueOf(rs.getString(1)), rs.getString(2),
                            new SmtpReply(rs.getInt(3), rs.getString(4), List.of(rs.getString(5).split("\n", -1)))));
                }
            }
        }
        return out;
    }
}
