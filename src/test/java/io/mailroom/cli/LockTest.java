package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.Child;
import io.mailroom.testing.JobDir;
import io.mailroom.testing.ScriptedSmtpServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two processes on one database. On one job the second cannot send, says why, and exits 75. Each process's SMTP server
 * holds its greeting until the test releases it, so a process is known to hold its job (it is connecting) for exactly as
 * long as the test needs, however slowly the other JVM starts.
 */
class LockTest {
    @TempDir
    Path dir;

    @Test
    void secondProcessOnAnUnsharedDatabaseExits75WhileTheFirstSendsEverythingOnce() throws Exception {
        secondProcessIsTurnedAway("", "in use by another process");
    }

    @Test
    void secondProcessOnTheSameJobInASharedDatabaseExits75WhileTheFirstSendsEverythingOnce() throws Exception {
        secondProcessIsTurnedAway(";AUTO_SERVER=TRUE", "being sent by another mailroom process");
    }

    @Test
    void processSharingTheDatabaseFinishesItsJobAfterTheProcessServingTheDatabaseHasFinishedItsOwn() throws Exception {
        try (ScriptedSmtpServer serverA = new ScriptedSmtpServer().holdGreetings();
             ScriptedSmtpServer serverB = new ScriptedSmtpServer().holdGreetings()) {
            Path jobA = new JobDir(dir.resolve("a")).set("name", "job-a").numberedRecipients(20).smtp("127.0.0.1", serverA.port(), "none").write();
            Path jobB = new JobDir(dir.resolve("b")).set("name", "job-b").numberedRecipients(20).smtp("127.0.0.1", serverB.port(), "none").write();
            String db = "jdbc:h2:" + dir.resolve("db").toAbsolutePath() + ";AUTO_SERVER=TRUE";
            Path logA = dir.resolve("a.log");
            Path logB = dir.resolve("b.log");

            // a opens the database first, so a's process serves it to b
            Process a = Child.start(logA, Map.of(), "run", jobA.toString(), "--db", db);
            awaitTrue("a connects to its server, or ends", () -> serverA.connections() == 1 || !a.isAlive());
            assertEquals(1, serverA.connections(), "a holds its job and is connecting: " + Child.output(logA));
            Process b = Child.start(logB, Map.of(), "run", jobB.toString(), "--db", db);
            awaitTrue("b connects to its server, or ends", () -> serverB.connections() == 1 || !b.isAlive());
            assertEquals(1, serverB.connections(), "b holds its job and is connecting: " + Child.output(logB));

            serverA.releaseGreetings();
            awaitTrue("a ends, or waits for the other mailroom process",
                    () -> !a.isAlive() || Child.output(logA).contains("other mailroom process"));
            serverB.releaseGreetings();

            assertTrue(b.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, b.exitValue(), Child.output(logB));
            assertEquals(20, serverB.received().size());
            assertTrue(a.waitFor(60, TimeUnit.SECONDS));
            String saidA = Child.output(logA);
            assertEquals(0, a.exitValue(), saidA);
            assertEquals(20, serverA.received().size());
            assertTrue(saidA.contains("other mailroom process"), saidA);
        }
    }

    @Test
    void statusAndReportInOtherProcessesReadTheJobWhileARunHoldsItsDatabase() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().holdGreetings()) {
            Path job = new JobDir(dir.resolve("job")).numberedRecipients(20).smtp("127.0.0.1", server.port(), "none").write();
            String db = "jdbc:h2:" + dir.resolve("db").toAbsolutePath();
            Path runLog = dir.resolve("run.log");

            Process run = Child.start(runLog, Map.of(), "run", job.toString(), "--db", db);
            awaitTrue("the run connects to the server, or ends", () -> server.connections() == 1 || !run.isAlive());
            assertEquals(1, server.connections(), "the run holds the database and is connecting: " + Child.output(runLog));

            Process status = Child.start(dir.resolve("status.log"), Map.of(), "status", "--db", db);
            assertTrue(status.waitFor(60, TimeUnit.SECONDS));
            String said = Child.output(dir.resolve("status.log"));
            assertEquals(0, status.exitValue(), said);
            assertTrue(said.contains("test-job: pending 20,") && said.contains("(unfinished)"), said);

            Process report = Child.start(dir.resolve("report.log"), Map.of(), "report", "test-job", "--format", "json", "--db", db);
            assertTrue(report.waitFor(60, TimeUnit.SECONDS));
            String json = Child.output(dir.resolve("report.log"));
            assertEquals(0, report.exitValue(), json);
            assertTrue(json.contains("\"pending\": 20") || json.contains("\"pending\":20"), json);

            server.releaseGreetings();
            assertTrue(run.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, run.exitValue(), Child.output(runLog));
            assertEquals(20, server.received().size());
        }
    }

    private void secondProcessIsTurnedAway(String urlOptions, String why) throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().holdGreetings()) {
            Path job = new JobDir(dir.resolve("job")).numberedRecipients(20).smtp("127.0.0.1", server.port(), "none").write();
            String db = "jdbc:h2:" + dir.resolve("db").toAbsolutePath() + urlOptions;

            Process first = Child.start(dir.resolve("first.log"), Map.of(), "run", job.toString(), "--db", db);
            awaitTrue("the first process connects to the server, or ends", () -> server.connections() == 1 || !first.isAlive());
            assertEquals(1, server.connections(), "the first process holds the job and is connecting: " + Child.output(dir.resolve("first.log")));

            Process second = Child.start(dir.resolve("second.log"), Map.of(), "run", job.toString(), "--db", db);
            assertTrue(second.waitFor(30, TimeUnit.SECONDS));
            String said = Child.output(dir.resolve("second.log"));
            assertEquals(75, second.exitValue(), said);
            assertTrue(said.contains(why), said);

            server.releaseGreetings();
            assertTrue(first.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, first.exitValue(), Child.output(dir.resolve("first.log")));
            assertEquals(20, server.received().size());
            assertEquals(1, server.connections(), "the second process never connected to the server");
        }
    }

    /** Polls another process's progress (there is nothing to wait on across processes), for at most 30 seconds. */
    private static void awaitTrue(String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.holds()) {
            assertTrue(System.nanoTime() < deadline, "not within 30 s: " + what);
            Thread.sleep(10);
        }
    }

    private interface Condition {
        boolean holds() throws Exception;
    }
}
