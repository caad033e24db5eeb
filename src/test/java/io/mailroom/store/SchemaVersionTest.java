package io.mailroom.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class SchemaVersionTest {
    @Test
    void theVersionThatSkipsFlywayIsTheNewestMigration() throws Exception {
        String url = "jdbc:h2:mem:schema-version;DB_CLOSE_DELAY=-1";
        Store.migrate(Database.at(url));
        try (Connection c = DriverManager.getConnection(url, "", ""); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT \"version\" FROM \"flyway_schema_history\" ORDER BY \"installed_rank\" DESC LIMIT 1")) {
            assertTrue(rs.next());
            assertEquals(Store.NEWEST_SCHEMA, rs.getString(1),
                    "a migration was added: Store.NEWEST_SCHEMA must name it, or databases at the old newest would never get it");
        }
    }

    @Test
    void aDatabaseAtTheNewestSchemaIsOpenedWithoutFlyway() throws Exception {
        String url = "jdbc:h2:mem:newest;DB_CLOSE_DELAY=-1";
        Store.migrate(Database.at(url));
        try (Connection c = DriverManager.getConnection(url, "", ""); Statement st = c.createStatement()) {
            // Flyway's validation would refuse this history; opening it proves Flyway was not asked
            st.execute("UPDATE \"flyway_schema_history\" SET \"checksum\" = 1 WHERE \"version\" = '1'");
        }
        Store.open(url).close();
        org.junit.jupiter.api.Assertions.assertThrows(org.flywaydb.core.api.FlywayException.class, () -> Store.migrate(Database.at(url)));
    }

    @Test
    void aDatabaseOneMigrationBehindIsStillMigrated() throws Exception {
        String url = "jdbc:h2:mem:one-behind;DB_CLOSE_DELAY=-1";
        Store.migrate(Database.at(url));
        String newest = "SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE \"version\" = '" + Store.NEWEST_SCHEMA + "' AND \"success\"";
        try (Connection c = DriverManager.getConnection(url, "", ""); Statement st = c.createStatement()) {
            st.execute("DELETE FROM \"flyway_schema_history\" WHERE \"version\" = '" + Store.NEWEST_SCHEMA + "'");
        }
        Store.open(url).close();
        try (Connection c = DriverManager.getConnection(url, "", ""); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(newest)) {
            rs.next();
            assertEquals(1, rs.getInt(1), "the newest migration was applied again (each is written to be)");
        }
    }
}
