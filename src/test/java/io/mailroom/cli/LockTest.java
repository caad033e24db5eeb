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
 * Two processes on one job: the second cannot send, says why, and exits 75. The SMTP server holds the first process's
 * greeting until the second has exited, so the first is known to hold the job (it is connecting) for exactly as long as
 * the test needs, however slowly the second JVM starts.
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

    private void secondProcessIsTurnedAway(String urlOptions, String why) throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().holdGreetings()) {
            Path job = new JobDir(dir.resolve("job")).numberedRecipients(20).smtp("127.0.0.1", server.port(), "none").write();
            String db = "jdbc:h2:" + dir.resolve("db").toAbsolutePath() + urlOptions;

            Process first = Child.start(dir.resolve("first.log"), Map.of(), "run", job.toString(), "--db", db);
            awaitTrue(() -> server.connections() == 1 || !first.isAlive());
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
    private static void awaitTrue(Condition condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.holds() && System.nanoTime() < deadline) Thread.sleep(10);
    }

    private interface Condition {
        boolean holds() throws Exception;
    }
}
