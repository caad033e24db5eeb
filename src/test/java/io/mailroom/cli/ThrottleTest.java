package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.send.Pause;
import io.mailroom.testing.JobDir;
import io.mailroom.testing.MutableClock;
import io.mailroom.testing.ScriptedSmtpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reply that asks the sender to slow down (Gmail's 451 4.7.28) slows the whole run: it pauses a minute, goes on at
 * half the pace it had, speeds up again after quiet minutes, and the report says when and why. The clock is the
 * test's: every wait is a pause that moves it.
 */
class ThrottleTest {
    @TempDir
    Path dir;

    @Test
    void aGmailRateReplyPausesTheRunThenHalvesItsPaceUntilQuietMinutesRestoreIt() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
        List<Duration> pauses = new ArrayList<>();
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()
                .rejectRecipient("user7@example.com", "451 4.7.28 Our system has detected an unusual rate of unsolicited mail")) {
            Pause pause = d -> {
                pauses.add(d);
                clock.advance(d);
                server.acceptRecipient("user7@example.com");
            };
            Path job = new JobDir(dir.resolve("job")).numberedRecipients(20).smtp("127.0.0.1", server.port(), "none").write();
            String db = "jdbc:h2:" + dir.resolve("db").toAbsolutePath();

            Cli.Result run = Cli.run(Map.of(), clock, pause, Cli.withDb(db, "run", job.toString()));

            assertEquals(0, run.exit(), run.all());
            assertEquals(20, server.received().size(), "user7 too, once the pause is over");
            assertTrue(run.err().contains("test-job: the server asked to slow down (451 4.7.28: Gmail: unusual rate of mail from this sender):"
                    + " no message before 2026-12-02T10:01:00Z, then at most 3.50 message(s) a minute, faster again after each quiet 1 minute(s)"), run.err());
            assertEquals(Duration.ofMinutes(1), pauses.get(0), "a minute's pause first: " + pauses);
            // 7 messages had started in the minute before: half that pace is one every 120/7 s
            Duration halfPace = Duration.ofNanos((long) (1e9 / (7 / 120.0)));
            assertEquals(halfPace, pauses.get(1), pauses.toString());
            for (int i = 2; i < pauses.size(); i++) assertTrue(pauses.get(i).compareTo(halfPace) <= 0, "never slower than half: " + pauses);
            assertTrue(pauses.get(pauses.size() - 1).compareTo(halfPace) < 0, "quiet minutes made it faster: " + pauses);

            String json = Cli.run(Map.of(), clock, pause, Cli.withDb(db, "report", "test-job", "--format", "json")).out();
            assertTrue(json.contains("\"throttles\": [{\"at\": \"2026-12-02T10:00:00Z\", \"reply\": {\"code\": 451, \"enhanced\": \"4.7.28\", \"text\":"
                    + " \"Our system has detected an unusual rate of unsolicited mail\"}, \"meaning\": \"Gmail: unusual rate of mail from this sender\","
                    + " \"resumeAt\": \"2026-12-02T10:01:00Z\", \"perMinute\": 3.50}]"), json);
            String text = Cli.run(Map.of(), clock, pause, Cli.withDb(db, "report", "test-job")).out();
            assertTrue(text.contains("throttled at 2026-12-02T10:00:00Z: 451 4.7.28 Our system has detected an unusual rate of unsolicited mail"
                    + " (Gmail: unusual rate of mail from this sender); paused until 2026-12-02T10:01:00Z, then at most 3.50 message(s) a minute"), text);
        }
    }

    @Test
    void theNextRunThroughTheSameAccountWaitsOutThePauseAnEarlierRunWasAskedFor() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
        List<Duration> pauses = new ArrayList<>();
        Pause pause = d -> {
            pauses.add(d);
            clock.advance(d);
        };
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()
                .rejectRecipient("user3@example.com", "451 4.7.28 Unusual rate of unsolicited mail")) {
            String db = "jdbc:h2:" + dir.resolve("db").toAbsolutePath();
            Path first = new JobDir(dir.resolve("first")).set("name", "first").numberedRecipients(3).smtp("127.0.0.1", server.port(), "none").write();
            Cli.Result a = Cli.run(Map.of(), clock, pause, Cli.withDb(db, "run", first.toString()));
            assertEquals(75, a.exit(), "user3 deferred: " + a.all());
            assertEquals(List.of(), pauses, "nothing else was due");

            clock.advance(Duration.ofSeconds(10));
            String status = Cli.run(Map.of(), clock, pause, Cli.withDb(db, "status", "first")).out();
            assertTrue(status.contains("  slowed down (account 127.0.0.1:" + server.port() + "): no message before 2026-12-02T10:01:00Z, then at most"
                    + " 1.50 message(s) a minute, faster after each quiet minute (asked at 2026-12-02T10:00:00Z: 451 4.7.28: Gmail: unusual rate of mail"
                    + " from this sender)"), status);
            Path second = new JobDir(dir.resolve("second")).set("name", "second").numberedRecipients(2).smtp("127.0.0.1", server.port(), "none").write();
            Cli.Result b = Cli.run(Map.of(), clock, pause, Cli.withDb(db, "run", second.toString()));

            assertEquals(0, b.exit(), b.all());
            assertEquals(Duration.ofSeconds(50), pauses.get(0), "another job on the account waits out the minute: " + pauses);
            assertEquals(5, server.received().size() + 1, "user3 of the first job is still due later");
        }
    }

    @Test
    void anOrdinaryDeferralDoesNotSlowTheRun() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
        List<Duration> pauses = new ArrayList<>();
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().rejectRecipient("user3@example.com", "451 4.3.0 Temporary local problem, try later")) {
            Path job = new JobDir(dir.resolve("job")).numberedRecipients(10).smtp("127.0.0.1", server.port(), "none").write();
            Cli.Result run = Cli.run(Map.of(), clock, d -> {
                pauses.add(d);
                clock.advance(d);
            }, Cli.withDb("jdbc:h2:" + dir.resolve("db").toAbsolutePath(), "run", job.toString()));

            assertEquals(75, run.exit(), run.all());
            assertEquals(9, server.received().size());
            assertEquals(List.of(), pauses, "no pause: one mailbox's deferral says nothing about the sender's pace");
            assertTrue(!run.err().contains("slow down"), run.err());
        }
    }
}
