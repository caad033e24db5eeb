package io.mailroom.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database file grown by many small commits (how the recorder writes on a slow server) is rewritten on close
 * with its live data alone; one someone else has open is left as it is.
 */
class DatabaseCompactionTest {
    private static final long ONE_MB = 1 << 20;

    @TempDir
    Path dir;

    private final List<String> notes = new ArrayList<>();

    @Test
    void aFileOfMostlyDeadSpaceIsReplacedByAPrivateCopyHoldingEveryCommittedRow() throws Exception {
        String url = Store.killSafe("jdbc:h2:" + dir.resolve("jobs"));
        Path file = DatabaseFile.path(url);
        try (Connection c = open(url)) {
            grow(c);
            assertTrue(DatabaseFile.mostlyDead(c, url, ONE_MB));
        }
        long before = Files.size(file);

        DatabaseFile.compact(url, notes::add);

        assertTrue(Files.size(file) * 4 < before, Files.size(file) + " bytes, was " + before);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertFalse(Files.exists(dir.resolve("jobs.mv.db.tempFile")));
        assertTrue(notes.get(0).startsWith("compacting " + file), notes.toString());
        DatabaseFile.checkNewestState(url);
        try (Connection c = open(url); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT COUNT(*), SUM(hits) FROM rows_written")) {
            rs.next();
            assertEquals(1000, rs.getInt(1));
            assertEquals(4000, rs.getInt(2));
        }
    }

    @Test
    void aFileWithLittleDeadSpaceOrAnotherSessionIsNotCompacted() throws Exception {
        String url = Store.killSafe("jdbc:h2:" + dir.resolve("jobs"));
        try (Connection c = open(url)) {
            grow(c);
            assertFalse(DatabaseFile.mostlyDead(c, url, 1024 * ONE_MB), "less dead space than asked for");
            try (Connection other = open(url)) {
                assertFalse(DatabaseFile.mostlyDead(c, url, ONE_MB), "closing one connection leaves the file open");
            }
        }
        assertFalse(DatabaseFile.mostlyDead(null, "jdbc:h2:mem:jobs", 0));
    }

    @Test
    void aFileThatIsOpenIsLeftAsItWas() throws Exception {
        String url = Store.killSafe("jdbc:h2:" + dir.resolve("jobs"));
        Path file = DatabaseFile.path(url);
        try (Connection c = open(url)) {
            grow(c);
            long size = Files.size(file);
            DatabaseFile.compact(url, notes::add);
            assertEquals(size, Files.size(file));
        }
        assertTrue(notes.stream().noneMatch(n -> n.startsWith("warning")), notes.toString());
    }

    private static Connection open(String url) throws SQLException {
        Connection c = DriverManager.getConnection(url, "", "");
        try (Statement st = c.createStatement()) {
            st.execute("SET WRITE_DELAY 0");
        }
        return c;
    }

    /** 1,000 rows, then 4,000 commits of one row each: every commit writes a chunk that is soon mostly dead. */
    private static void grow(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE rows_written (id INT PRIMARY KEY, hits INT NOT NULL, payload VARCHAR(400) NOT NULL)");
            st.execute("INSERT INTO rows_written SELECT X, 0, REPEAT('x', 200) || X FROM SYSTEM_RANGE(1, 1000)");
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE rows_written SET hits = hits + 1 WHERE id = ?")) {
            for (int i = 0; i < 4000; i++) {
                ps.setInt(1, i * 7 % 1000 + 1);
                ps.executeUpdate();
            }
        }
    }
}
