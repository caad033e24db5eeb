package io.mailroom.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a PostgreSQL login comes from, in libpq's order, and which URLs can hold jobs at all. */
class DatabaseTest {
    @TempDir
    Path dir;

    private Path pgpass(String content) throws Exception {
        Path f = dir.resolve("pgpass");
        Files.writeString(f, content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    @Test
    void thePasswordInTheUrlWinsThenPgpasswordThenThePasswordFile() throws Exception {
        Path file = pgpass("db.example:5432:jobs:mail:from-file\n");
        Map<String, String> all = Map.of("PGPASSWORD", "from-env", "PGPASSFILE", file.toString());
        String url = "jdbc:postgresql://db.example/jobs?user=mail";
        assertEquals("from-url", Database.at(url + "&password=from-url", all::get).password());
        assertEquals("from-env", Database.at(url, all::get).password());
        assertEquals("from-file", Database.at(url, Map.of("PGPASSFILE", file.toString())::get).password());
        assertNull(Database.at(url, Map.of("PGPASSFILE", dir.resolve("none").toString())::get).password());
    }

    @Test
    void thePasswordFileMatchesLikeLibpqWithWildcardsEscapesAndTheDefaultPort() throws Exception {
        Path file = pgpass("# comment\nother:*:*:*:no\ndb.example:5432:*:mail:p\\:a\\\\ss\n*:*:*:*:fallback\n");
        assertEquals("p:a\\ss", Database.fromPasswordFile(file, "db.example", "5432", "jobs", "mail"));
        assertEquals("fallback", Database.fromPasswordFile(file, "db.example", "5433", "jobs", "mail"));
        assertEquals("p:a\\ss", Database.at("jdbc:postgresql://db.example/jobs?user=mail", Map.of("PGPASSFILE", file.toString())::get).password());
    }

    @Test
    void aPasswordFileOthersCanReadIsIgnored() throws Exception {
        Path file = pgpass("*:*:*:*:secret\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        assertNull(Database.fromPasswordFile(file, "h", "5432", "d", "u"));
    }

    @Test
    void theUserComesFromTheUrlElsePguser() throws Exception {
        assertEquals("from-env", Database.at("jdbc:postgresql://h/d", Map.of("PGUSER", "from-env")::get).user());
        assertEquals("u", Database.at("jdbc:postgresql://h/d?user=u", Map.of("PGUSER", "from-env")::get).user());
    }

    @Test
    void onlyH2AndPostgresqlUrlsHoldJobsAndAPasswordIsShownMasked() throws Exception {
        DatabaseUrlException e = org.junit.jupiter.api.Assertions.assertThrows(DatabaseUrlException.class,
                () -> Database.at("jdbc:mysql://h/d?user=u&password=hunter2", Map.<String, String>of()::get));
        assertTrue(e.getMessage().contains("jdbc:mysql://h/d?user=u&password=****") && !e.getMessage().contains("hunter2"), e.getMessage());
        assertEquals("jdbc:postgresql://h/d?password=****&user=u", Database.at("jdbc:postgresql://h/d?password=x&user=u", Map.<String, String>of()::get).shown());
    }
}
