package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.store.Store;
import io.mailroom.testing.JobDir;
import io.mailroom.testing.ScriptedSmtpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run plans its CSV while it sends, committing rows a batch at a time; one killed before its plan ended
 * leaves the job with part of the CSV. Resume works from the database alone, so the job keeps the CSV
 * until the plan ends, and resume plans the rest from that copy.
 */
class InterruptedPlanTest {
    @TempDir
    Path dir;

    private String db() {
        return "jdbc:h2:" + dir.resolve("db").toAbsolutePath();
    }

    /** The state a run killed after committing the first 10 of 30 rows leaves (all 10 sent), with the CSV file gone since. */
    private void killedAfterPlanningTenOfThirty(ScriptedSmtpServer server) throws Exception {
        Path job = new JobDir(dir.resolve("job")).numberedRecipients(30).smtp("127.0.0.1", server.port(), "none").write();
        Path csv = job.resolveSibling("recipients.csv");
        byte[] content = Files.readAllBytes(csv);
        Cli.Result first = Cli.run(Map.of(), Cli.withDb(db(), "run", job.toString(), "--limit", "10"));
        assertEquals(75, first.exit(), first.all());
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("DELETE FROM addresses WHERE recipient_id IN (SELECT id FROM recipients WHERE row_no > 11)");
            st.execute("DELETE FROM recipients WHERE row_no > 11");
            st.execute("UPDATE jobs SET plan_complete = FALSE, csv_encoding = 'UTF-8'");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO job_files (job_id, kind, name, content) SELECT id, 'recipients', 'recipients.csv', ? FROM jobs")) {
                ps.setBytes(1, content);
                ps.executeUpdate();
            }
        }
        Files.delete(csv);
    }

    @Test
    void statusCallsAJobUnfinishedWhileItsPlanIsIncompleteEvenWithEveryPlannedRowSent() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            killedAfterPlanningTenOfThirty(server);

            Cli.Result status = Cli.run(Map.of(), Cli.withDb(db(), "status", "test-job"));

            assertEquals(75, status.exit(), status.all());
            assertTrue(status.all().contains("sent 10") && status.all().contains("(unfinished)"), status.all());
        }
    }

    @Test
    void resumeFinishesThePlanFromTheJobsCopyOfTheCsvAndSendsEachRowOnce() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            killedAfterPlanningTenOfThirty(server);

            Cli.Result resumed = Cli.run(Map.of(), Cli.withDb(db(), "resume", "test-job"));

            assertEquals(0, resumed.exit(), resumed.all());
            assertTrue(resumed.all().contains("the rest of its rows are planned now"), resumed.all());
            Map<String, Long> received = server.received().stream().collect(Collectors.groupingBy(r -> r.recipients().get(0), TreeMap::new,
                    Collectors.counting()));
            assertEquals(IntStream.rangeClosed(1, 30).mapToObj(i -> "user" + i + "@example.com").collect(Collectors.toMap(a -> a, a -> 1L,
                    (a, b) -> a, TreeMap::new)), received, "every row of the CSV sent, once");
            try (Connection c = connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT plan_complete, (SELECT COUNT(*) FROM job_files WHERE kind = 'recipients') FROM jobs")) {
                rs.next();
                assertTrue(rs.getBoolean(1), "the plan is complete");
                assertEquals(0, rs.getInt(2), "and the job's copy of the CSV is gone");
            }
            try (var beside = Files.list(dir)) {
                assertEquals(java.util.List.of(), beside.filter(f -> f.getFileName().toString().endsWith(".plan.csv")).toList(),
                        "nor is the copy resume planned from left beside the database");
            }
        }
    }

    @Test
    void theCopyARunKeepsIsTheCsvAsItsBytesAndEncodingWere() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            Path job = new JobDir(dir.resolve("job")).numberedRecipients(3).smtp("127.0.0.1", server.port(), "none").write();
            assertEquals(0, Cli.run(Map.of(), Cli.withDb(db(), "run", job.toString())).exit());
            Path csv = dir.resolve("other.csv");
            byte[] content = "email,first_name,n\nz\u00fcrich@example.com,J\u00fcrg,1\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            Files.write(csv, content);

            try (Store store = Store.open(db())) {
                long id = store.job("test-job").orElseThrow().id();
                store.planBegins(id, csv, java.nio.charset.StandardCharsets.ISO_8859_1);
                store.commit();
                assertTrue(!store.job("test-job").orElseThrow().planComplete());
                Path copy = dir.resolve("copy.csv");
                Store.PlannedCsv kept = store.interruptedPlan(id, copy).orElseThrow();
                assertEquals("other.csv", kept.name());
                assertEquals(java.nio.charset.StandardCharsets.ISO_8859_1, kept.encoding());
                assertTrue(java.util.Arrays.equals(content, Files.readAllBytes(copy)));
                store.planEnded(id, null);
                store.commit();
                assertTrue(store.interruptedPlan(id, copy).isEmpty());
            }
        }
    }

    @Test
    void aRunThatPlansItsWholeCsvKeepsNoCopyOfIt() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            Path job = new JobDir(dir.resolve("job")).numberedRecipients(3).smtp("127.0.0.1", server.port(), "none").write();

            assertEquals(0, Cli.run(Map.of(), Cli.withDb(db(), "run", job.toString())).exit());

            try (Connection c = connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT plan_complete, (SELECT COUNT(*) FROM job_files WHERE kind = 'recipients') FROM jobs")) {
                rs.next();
                assertTrue(rs.getBoolean(1));
                assertEquals(0, rs.getInt(2));
            }
        }
    }

    private Connection connect() throws Exception {
        return DriverManager.getConnection(Store.killSafe(db()), "", "");
    }
}
