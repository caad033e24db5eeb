package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.Child;
import io.mailroom.testing.JobDir;
import io.mailroom.testing.PostgresServer;
import io.mailroom.testing.ScriptedSmtpServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several mailroom processes on one job in PostgreSQL, each a worker: they share the rows (no address in
 * two workers' hands) and the rate limits, and one killed with SIGKILL midway loses nothing and sends
 * nothing twice: the others settle what it held from its journal and lease, and finish the job.
 */
class WorkersTest {
    private static final int ROWS = 3000;

    @TempDir
    Path dir;

    /** Workers that have recorded a message sent. */
    private static int sendingWorkers(String db) throws Exception {
        try (Connection c = DriverManager.getConnection(PostgresServer.withPassword(db)); ResultSet rs = c.createStatement().executeQuery(
                "SELECT COUNT(DISTINCT u.worker_id) FROM attempts a JOIN runs u ON u.id = a.run_id")) {
            return rs.next() ? rs.getInt(1) : 0;
        } catch (java.sql.SQLException noSchemaYet) {
            return 0;
        }
    }

    @Test
    void threeWorkersShareAJobAndOneKilledMidwayNeitherLosesNorDuplicatesAnAddress() throws Exception {
        String db = PostgresServer.get().newDatabase();
        Map<String, String> env = Map.of("PGPASSWORD", PostgresServer.PASSWORD);
        // 5 ms to answer each message: the job lasts long enough for the second and third worker to join in
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().pipelining(true).queueing(5)) {
            Path job = new JobDir(dir.resolve("job")).numberedRecipients(ROWS).smtp("127.0.0.1", server.port(), "none").write();
            List<Process> workers = new ArrayList<>();
            for (int i = 0; i < 3; i++) workers.add(Child.start(dir.resolve("worker-" + i + ".log"), env, "run", job.toString(), "--db", db));

            // killed once all three send (one plans first, the others join as its plan ends)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (sendingWorkers(db) < 3 && System.nanoTime() < deadline) Thread.sleep(5);
            assertTrue(workers.get(1).isAlive(), "the worker to kill is still sending: " + Child.output(dir.resolve("worker-1.log")));
            workers.get(1).destroyForcibly().waitFor();
            // the other two take over what it held (it was a process of this machine: no need to wait for its lease) and finish the job
            for (int i : new int[] {0, 2}) {
                assertTrue(workers.get(i).waitFor(120, TimeUnit.SECONDS), "worker " + i + " ends");
                int exit = workers.get(i).exitValue();
                assertTrue(exit == 0 || exit == 1, "worker " + i + " ends with the job: exit " + exit + ": " + Child.output(dir.resolve("worker-" + i + ".log")));
            }

            Map<String, Integer> received = new HashMap<>();
            server.received().forEach(r -> r.recipients().forEach(a -> received.merge(a, 1, Integer::sum)));
            Map<String, String> status = new HashMap<>();
            try (Connection c = DriverManager.getConnection(PostgresServer.withPassword(db));
                 ResultSet rs = c.createStatement().executeQuery("SELECT address, status FROM addresses")) {
                while (rs.next()) status.put(rs.getString(1), rs.getString(2));
            }
            Set<String> senders = senders(db);
            assertEquals(ROWS, status.size(), "every address is recorded");
            long unknown = 0;
            for (var e : status.entrySet()) {
                int got = received.getOrDefault(e.getKey(), 0);
                switch (e.getValue()) {
                    case "sent" -> assertEquals(1, got, e.getKey() + " is sent and was received exactly once");
                    case "unknown" -> {
                        unknown++;
                        assertTrue(got <= 1, e.getKey() + " is unknown and was received at most once");
                    }
                    default -> throw new AssertionError(e.getKey() + " ended " + e.getValue());
                }
            }
            System.out.println("WorkersTest: " + unknown + " unknown; senders " + senders);
            assertTrue(received.keySet().stream().allMatch(status::containsKey));
            assertTrue(unknown <= 1, "one session was killed, so at most one message is in doubt: " + unknown);
            assertTrue(senders.size() >= 3, "the three workers each sent some: " + senders);
            String workersSaid = Cli.run(env, Cli.withDb(db, "status", "test-job")).out();
            assertEquals(3, workersSaid.split("\n  worker ", -1).length - 1, "status lists the three workers: " + workersSaid);
            assertTrue(workersSaid.contains(": started ") && workersSaid.contains(", gone (no heartbeat since ") && workersSaid.contains(", stopped "),
                    "the killed one gone, the others stopped: " + workersSaid);
            String json = Cli.run(env, Cli.withDb(db, "report", "test-job", "--format", "json")).out();
            long sent = status.values().stream().filter("sent"::equals).count();
            assertTrue(json.contains("\"sent\": " + sent + ","), "the report's count is the server's: " + sent + "\n" + json.substring(0, 300));
            assertEquals(1, json.split("\"state\": \"gone\"", -1).length - 1, "the report shows the workers too: " + json.substring(0, 900));
            assertEquals(2, json.split("\"state\": \"stopped\"", -1).length - 1, json.substring(0, 900));
        }
    }

    @Test
    void aRateLimitHoldsForThreeWorkersTogetherAsTheServerCountsIt() throws Exception {
        String db = PostgresServer.get().newDatabase();
        Map<String, String> env = Map.of("PGPASSWORD", PostgresServer.PASSWORD);
        int rows = 48;
        int perWindow = 8;
        Duration window = Duration.ofSeconds(2);
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().pipelining(true)) {
            Path job = new JobDir(dir.resolve("job")).numberedRecipients(rows).smtp("127.0.0.1", server.port(), "none")
                    .set("rate", perWindow + "/2s").write();
            List<Process> workers = new ArrayList<>();
            for (int i = 0; i < 3; i++) workers.add(Child.start(dir.resolve("worker-" + i + ".log"), env, "run", job.toString(), "--db", db));
            for (int i = 0; i < 3; i++) {
                assertTrue(workers.get(i).waitFor(120, TimeUnit.SECONDS), "worker " + i + " ends");
                assertEquals(0, workers.get(i).exitValue(), Child.output(dir.resolve("worker-" + i + ".log")));
            }

            assertEquals(rows, server.received().size());
            List<Long> starts = server.mailTimes().stream().sorted().toList();
            for (int i = 0; i + perWindow < starts.size(); i++) {
                long apart = starts.get(i + perWindow) - starts.get(i);
                assertTrue(apart >= window.toNanos(), "message " + (i + perWindow + 1) + " came " + apart / 1_000_000 + " ms after message " + (i + 1)
                        + ": " + (perWindow + 1) + " in one window of " + window.toMillis() + " ms");
            }
            long span = starts.get(rows - 1) - starts.get(0);
            assertTrue(span >= window.multipliedBy(rows / perWindow - 1).toNanos(), "the limit set the pace: " + span / 1_000_000 + " ms");
            assertEquals(3, senders(db).size(), "the three workers each sent some");
        }
    }

    /** The workers that recorded a message sent. */
    private static Set<String> senders(String db) throws Exception {
        Set<String> out = new HashSet<>();
        try (Connection c = DriverManager.getConnection(PostgresServer.withPassword(db)); ResultSet rs = c.createStatement().executeQuery(
                "SELECT DISTINCT u.worker_id FROM attempts a JOIN runs u ON u.id = a.run_id WHERE a.status = 'sent'")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }
}
