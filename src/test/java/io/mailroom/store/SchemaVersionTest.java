package io.mailroom.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Flyway is asked only when a database is behind the newest migration, on H2 and PostgreSQL alike. */
class SchemaVersionTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void theVersionThatSkipsFlywayIsTheNewestMigration(TestDatabase kind) throws Exception {
        String url = kind.newUrl(dir);
        Store.migrate(Database.at(url));
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT \"version\" FROM \"flyway_schema_history\" ORDER BY \"installed_rank\" DESC LIMIT 1")) {
            assertTrue(rs.next());
            assertEquals(Store.NEWEST_SCHEMA, rs.getString(1),
                    "a migration was added: Store.NEWEST_SCHEMA must name it, or databases at the old newest would never get it");
        }
    }

    @org.junit.jupiter.api.Test
    void aNewH2DatabaseIsMadeWithoutAnErrorInATraceFile() throws Exception {
        Store.open("jdbc:h2:" + dir.resolve("jobs")).close();
        assertTrue(java.nio.file.Files.exists(dir.resolve("jobs.mv.db")));
        assertTrue(java.nio.file.Files.notExists(dir.resolve("jobs.trace.db")),
                "H2 logs a failed query in jobs.trace.db, which looks like a problem to the user: asking whether a new database"
                + " has a history table must not fail");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aDatabaseAtTheNewestSchemaIsOpenedWithoutFlyway(TestDatabase kind) throws Exception {
        String url = kind.newUrl(dir);
        Store.migrate(Database.at(url));
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            // Flyway's validation would refuse this history; opening it proves Flyway was not asked
            st.execute("UPDATE \"flyway_schema_history\" SET \"checksum\" = 1 WHERE \"version\" = '1'");
        }
        Store.open(url).close();
        assertThrows(org.flywaydb.core.api.FlywayException.class, () -> Store.migrate(Database.at(url)));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aDatabaseOneMigrationBehindIsStillMigrated(TestDatabase kind) throws Exception {
        String url = kind.newUrl(dir);
        Store.migrate(Database.at(url));
        String newest = "SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE \"version\" = '" + Store.NEWEST_SCHEMA + "' AND \"success\"";
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("DELETE FROM \"flyway_schema_history\" WHERE \"version\" = '" + Store.NEWEST_SCHEMA + "'");
        }
        Store.open(url).close();
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(newest)) {
            rs.next();
            assertEquals(1, rs.getInt(1), "the newest migration was applied again (each is written to be)");
        }
    }
}
