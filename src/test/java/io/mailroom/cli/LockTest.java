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

/** Two processes on one job: the second cannot send, says why, and exits 75. */
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
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().greetingDelay(4000)) {
            Path job = new JobDir(dir.resolve("job")).numberedRecipients(20).smtp("127.0.0.1", server.port(), "none").write();
            String db = "jdbc:h2:" + dir.resolve("db").toAbsolutePath() + urlOptions;

            Process first = Child.start(dir.resolve("first.log"), Map.of(), "run", job.toString(), "--db", db);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (server.connections() == 0 && first.isAlive() && System.nanoTime() < deadline) Thread.sleep(10);
            assertEquals(1, server.connections(), "the first process holds the job and is connecting: " + Child.output(dir.resolve("first.log")));

            Process second = Child.start(dir.resolve("second.log"), Map.of(), "run", job.toString(), "--db", db);
            assertTrue(second.waitFor(30, TimeUnit.SECONDS));
            String said = Child.output(dir.resolve("second.log"));
            assertEquals(75, second.exitValue(), said);
            assertTrue(said.contains(why), said);

            assertTrue(first.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, first.exitValue(), Child.output(dir.resolve("first.log")));
            assertEquals(20, server.received().size());
            assertEquals(1, server.connections(), "the second process never connected to the server");
        }
    }
}
