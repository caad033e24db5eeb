package io.mailroom.testing;

import java.nio.file.Path;
import java.sql.SQLException;

/** The databases the store's tests run against, each test with a new, empty one. */
public enum TestDatabase {
    H2, POSTGRESQL;

    /** A new database of this kind (an H2 file in {@code dir}; a database on the test cluster), its URL carrying any password. */
    public String newUrl(Path dir) throws SQLException {
        return this == H2 ? "jdbc:h2:" + dir.resolve("store").toAbsolutePath() : PostgresServer.withPassword(PostgresServer.get().newDatabase());
    }
}
