package io.mailroom.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/** The statements a loop runs for every row or message, each prepared once per connection: H2 parses and plans on prepare. */
final class Prepared {
    private final Connection db;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    Prepared(Connection db) {
        this.db = db;
    }

    /** {@code keys}: {@link java.sql.Statement#RETURN_GENERATED_KEYS} or NO_GENERATED_KEYS. */
    PreparedStatement get(String sql, int keys) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = db.prepareStatement(sql, keys);
            statements.put(sql, ps);
        }
        return ps;
    }
}
