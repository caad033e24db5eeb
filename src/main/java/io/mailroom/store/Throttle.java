package io.mailroom.store;

import java.time.Instant;

/** A reply that asked a run to slow down: when, the reply and what it means, and the pace kept after it (messages a second) from {@code resumeAt}. */
public record Throttle(Instant at, StoredReply reply, String meaning, Instant resumeAt, double perSecond) {
    /** The reply and what it means, as notes and status say them: "451 4.7.28: Gmail: unusual rate of mail from this sender". */
    public String said() {
        return reply.code() + (reply.enhanced() == null ? "" : " " + reply.enhanced()) + ": " + meaning;
    }

    /** From a row of at, reply_code, reply_enhanced, reply_text, meaning, resume_at, per_second. */
    static Throttle read(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Throttle(rs.getTimestamp(1).toInstant(), new StoredReply(rs.getInt(2), rs.getString(3), rs.getString(4)), rs.getString(5),
                rs.getTimestamp(6).toInstant(), rs.getDouble(7));
    }
}
