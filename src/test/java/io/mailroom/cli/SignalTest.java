package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.Child;
import io.mailroom.testing.JobDir;
import io.mailroom.testing.ScriptedSmtpServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM (as a scheduler or Ctrl-C would): stop after the messages in hand, record them, exit 75. */
class SignalTest {
    private static final int ROWS = 300;

    @TempDir
    Path dir;

    @Test
    void sigtermStopsAfterTheMessagesInHandRecordsThemAndExits75() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().pipelining(true)) {
            Path job = new JobDir(dir.resolve("job")).numberedRecipients(ROWS).smtp("127.0.0.1", server.port(), "none").write();
            String db = "jdbc:h2:" + dir.resolve("db").toAbsolutePath();
            Path log = dir.resolve("run.log");

            Process run = Child.start(log, Map.of(), "run", job.toString(), "--db", db);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (server.received().size() < 30 && run.isAlive() && System.nanoTime() < deadline) Thread.sleep(1);
            assertTrue(run.isAlive(), "still sending when the signal comes: " + Child.output(log));
            run.destroy();
            assertTrue(run.waitFor(60, TimeUnit.SECONDS));
            assertEquals(75, run.exitValue(), Child.output(log));
            assertTrue(Child.output(log).contains("stopped on request"), Child.output(log));

            Map<String, Integer> counts = counts(db);
            assertEquals(0, counts.getOrDefault("unknown", 0), "the messages in hand were finished, not abandoned: " + counts);
            assertEquals(server.received().size(), counts.getOrDefault("sent", 0), "the database agrees with the server");
            assertTrue(counts.getOrDefault("pending", 0) > 0, "stopped early: " + counts);

            Process resume = Child.start(dir.resolve("resume.log"), Map.of(), "resume", "test-job", "--db", db);
            assertTrue(resume.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, resume.exitValue(), Child.output(dir.resolve("resume.log")));
            assertEquals(ROWS, server.received().size());
            assertEquals(ROWS, server.received().stream().map(r -> r.recipients().get(0)).distinct().count(), "each once");
        }
    }

    @Test
    void sigtermWhilePlanningAStopsThePlanAtOnceAndResumePlansTheRest() throws Exception {
        int rows = 100_000;
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().holdGreetings()) {
            Path job = new JobDir(dir.resolve("job")).numberedRecipients(rows).smtp("127.0.0.1", server.port(), "none").write();
            String db = "jdbc:h2:" + dir.resolve("db").toAbsolutePath();
            Path log = dir.resolve("run.log");

            Process run = Child.start(log, Map.of(), "run", job.toString(), "--db", db, "--progress-every", "1s");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Child.output(log).contains("(still reading the CSV)") && run.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
            assertTrue(Child.output(log).contains("(still reading the CSV)"), "planning when the signal comes: " + Child.output(log));
            run.destroy();
            server.releaseGreetings();
            assertTrue(run.waitFor(60, TimeUnit.SECONDS));
            String said = Child.output(log);
            assertEquals(75, run.exitValue(), said);
            assertTrue(said.matches("(?s).*test-job: planning stopped on request after \\d+ row\\(s\\), \\d+ new; resume or the next run plans the rest.*"), said);
            int planned = counts(db).values().stream().mapToInt(Integer::intValue).sum();
            assertTrue(planned > 0 && planned < rows, "stopped in the middle of the plan: " + planned);

            Process resume = Child.start(dir.resolve("resume.log"), Map.of(), "resume", "test-job", "--db", db, "--max-duration", "1s");
            assertTrue(resume.waitFor(120, TimeUnit.SECONDS));
            String resumed = Child.output(dir.resolve("resume.log"));
            assertTrue(resumed.contains("the rest of its rows are planned now"), resumed);
            assertEquals(rows, counts(db).values().stream().mapToInt(Integer::intValue).sum(), "every row planned once: " + resumed);
        }
    }

    private static Map<String, Integer> counts(String db) throws Exception {
        Map<String, Integer> out = new HashMap<>();
        try (Connection c = DriverManager.getConnection(db, "", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT status, COUNT(*) FROM recipients GROUP BY status")) {
            while (rs.next()) out.put(rs.getString(1), rs.getInt(2));
        }
        return out;
    }
}
