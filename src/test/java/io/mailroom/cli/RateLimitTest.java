package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.send.Pause;
import io.mailroom.testing.JobDir;
import io.mailroom.testing.MutableClock;
import io.mailroom.testing.ScriptedSmtpServer;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rate limits and time bounds, with a clock the test moves: every wait is a pause that advances it. */
class RateLimitTest {
    @TempDir
    Path dir;
    String db;
    ScriptedSmtpServer server;
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
    final List<Duration> pauses = new ArrayList<>();
    final Pause pause = d -> {
        pauses.add(d);
        clock.advance(d);
    };

    @BeforeEach
    void setUp() throws Exception {
        db = "jdbc:h2:" + dir.resolve("db").toAbsolutePath();
        server = new ScriptedSmtpServer().pipelining(true);
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
    }

    private Path job(int rows, String rate) throws Exception {
        return new JobDir(dir.resolve("job")).numberedRecipients(rows).smtp("127.0.0.1", server.port(), "none").set("rate", rate).write();
    }

    private Cli.Result mailroom(String... args) {
        return Cli.run(Map.of(), clock, pause, Cli.withDb(db, args));
    }

    @Test
    void perSecondLimitPacesTheRunWithoutEverExceedingIt() throws Exception {
        Cli.Result run = mailroom("run", job(6, "2/second").toString());
        assertEquals(0, run.exit(), run.all());
        assertEquals(List.of(Duration.ofMillis(1050), Duration.ofMillis(1050)), pauses, "a second, and a twentieth of it to spare");
        List<Instant> starts = attemptStarts();
        for (Instant t : starts) {
            assertTrue(starts.stream().filter(s -> !s.isBefore(t) && s.isBefore(t.plusSeconds(1))).count() <= 2, "at most 2 in any second: " + starts);
        }
    }

    @Test
    void aRecipientLimitCountsTheCcAndBccOfEachMessage() throws Exception {
        Path job = new JobDir(dir.resolve("job")).numberedRecipients(6).smtp("127.0.0.1", server.port(), "none").set("rate.recipients", "6/second")
                .file("message.ftl", JobDir.TEMPLATE.replace("Subject:", "Cc: cc-${n}@example.com\nBcc: bcc-${n}@example.com\nSubject:")).write();

        Cli.Result run = mailroom("run", job.toString());

        assertEquals(0, run.exit(), run.all());
        assertEquals(18, server.received().stream().mapToInt(r -> r.recipients().size()).sum());
        Instant t = Instant.parse("2026-11-22T10:00:00Z");
        assertEquals(List.of(t, t, t.plusMillis(1050), t.plusMillis(1050), t.plusMillis(2100), t.plusMillis(2100)), attemptStarts(),
                "two messages of three recipients a second: six recipients, not six messages");
    }

    @Test
    void aFiveMinuteWindowHoldsOverAnyFiveMinutes() throws Exception {
        Cli.Result run = mailroom("run", job(5, "2/5m").toString());

        assertEquals(0, run.exit(), run.all());
        Instant t = Instant.parse("2026-11-22T10:00:00Z");
        assertEquals(List.of(t, t, t.plusSeconds(301), t.plusSeconds(301), t.plusSeconds(602)), attemptStarts(), "5 minutes and a second to spare");
        assertEquals(List.of(Duration.ofSeconds(301), Duration.ofSeconds(301)), pauses);
    }

    private Path namedJob(String name, int rows, String... keys) throws Exception {
        JobDir job = new JobDir(dir.resolve(name)).numberedRecipients(rows).smtp("127.0.0.1", server.port(), "none").set("name", name);
        for (int i = 0; i < keys.length; i += 2) job.set(keys[i], keys[i + 1]);
        return job.write();
    }

    @Test
    void twoJobsOnOneAccountShareItsDailyLimitAcrossRuns() throws Exception {
        Cli.Result first = mailroom("run", namedJob("monday-news", 2, "rate", "3/day").toString());
        assertEquals(0, first.exit(), first.all());

        Cli.Result second = mailroom("run", namedJob("monday-offers", 4, "rate", "3/day").toString());

        assertEquals(75, second.exit(), second.all());
        assertEquals(3, server.received().size(), "one more message: the account had sent two of its three today");
        assertTrue(second.err().contains("rate limit (3/day) reached"), second.err());
        Cli.Result status = mailroom("status", "monday-offers");
        assertTrue(status.out().contains("rate 3/day (account 127.0.0.1:" + server.port() + "): 3 of 3 used; next at 2026-11-23T10:00:01Z"), status.out());
    }

    @Test
    void runsFromBeforeRunsNamedTheirAccountStillCountForTheirOwnJob() throws Exception {
        Path job = job(5, "3/day");
        assertEquals(75, mailroom("run", job.toString()).exit());
        try (Connection c = DriverManager.getConnection(db, "", "")) {
            c.createStatement().executeUpdate("UPDATE runs SET account = NULL");
        }

        Cli.Result evening = mailroom("resume", "test-job");

        assertEquals(75, evening.exit(), evening.all());
        assertEquals(3, server.received().size(), "this morning's three still count: the quota is used");
    }

    @Test
    void aJobScopedLimitCountsThatJobAlone() throws Exception {
        assertEquals(0, mailroom("run", namedJob("monday-news", 2, "rate", "3/day").toString()).exit());

        Cli.Result second = mailroom("run", namedJob("monday-offers", 3, "rate", "3/day", "rate.scope", "job").toString());

        assertEquals(0, second.exit(), second.all());
        assertEquals(5, server.received().size());
    }

    /** The local HH:MM {@code minutes} from the test clock's now. */
    private String localTime(int minutes) {
        return java.time.LocalTime.ofInstant(clock.instant().plus(Duration.ofMinutes(minutes)), java.time.ZoneId.systemDefault())
                .format(java.time.format.DateTimeFormatter.ofPattern("HH:mm"));
    }

    @Test
    void untilSaysWhenTheRunStopsAndTheRunSaysHowToGoOnWhenItDoes() throws Exception {
        String inAMinute = localTime(1);
        Cli.Result run = mailroom("run", job(6, "2/minute").toString(), "--until", inAMinute);

        assertEquals(75, run.exit(), run.all());
        assertTrue(run.err().contains("--until " + inAMinute + ": no message starts after "), run.err());
        assertEquals(2, server.received().size());
        assertTrue(run.err().contains("the run's time bound (2026-11-22T10:01:00Z) comes before the rate limit (2/minute) lets the next message go;"
                + " run or resume again to go on"), run.err());
    }

    @Test
    void untilATimeThatHasJustPassedMeansTomorrowAndSaysSo() throws Exception {
        String aMomentAgo = localTime(-2);
        Cli.Result run = mailroom("run", job(1, "2/second").toString(), "--until", aMomentAgo);

        assertEquals(0, run.exit(), run.all());
        assertTrue(run.err().contains("(" + aMomentAgo + " today has just passed, so it is tomorrow's)"), run.err());
    }

    @Test
    void untilADateAndTimeThatHasPassedIsRefused() throws Exception {
        Cli.Result run = mailroom("run", job(1, "2/second").toString(), "--until", "2026-11-21T06:00");

        assertEquals(64, run.exit(), run.all());
        assertTrue(run.err().contains("--until: 2026-11-21T06:00 has passed; give a time to come"), run.err());
        assertEquals(0, server.received().size());
    }

    @Test
    void aMessageThatWaitedForTheRateLimitIsDatedWhenItGoesNotWhenItWasQueued() throws Exception {
        Cli.Result run = mailroom("run", job(6, "2/second").toString());
        assertEquals(0, run.exit(), run.all());
        List<Instant> dated = new ArrayList<>();
        for (ScriptedSmtpServer.Received r : server.received()) {
            MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(r.content().getBytes(StandardCharsets.UTF_8)));
            dated.add(m.getSentDate().toInstant());
        }
        Instant start = Instant.parse("2026-11-22T10:00:00Z");
        assertEquals(List.of(start, start, start.plusSeconds(1), start.plusSeconds(1), start.plusSeconds(2), start.plusSeconds(2)), dated);
    }

    @Test
    void dailyQuotaUsedByAnEarlierRunIsRespectedByTheNextOne() throws Exception {
        Path job = job(5, "3/day");
        Cli.Result morning = mailroom("run", job.toString());
        assertEquals(75, morning.exit(), morning.all());
        assertEquals(3, server.received().size());
        assertTrue(morning.err().contains("rate limit (3/day) reached; the next message may go at 2026-11-23T10:00:01Z"), morning.err());

        clock.advance(Duration.ofHours(8));
        Cli.Result evening = mailroom("run", job.toString());
        assertEquals(75, evening.exit(), evening.all());
        assertEquals(3, server.received().size(), "the evening run sends nothing: the quota is used");
        assertTrue(evening.out().contains("test-job: sent nothing\n"), "not 'nothing due': two are due, held back by the quota: " + evening.out());
        assertTrue(evening.err().contains("stopped: the rate limit (3/day) reached"), evening.err());

        clock.advance(Duration.ofHours(16).plusSeconds(1));
        Cli.Result nextDay = mailroom("resume", "test-job");
        assertEquals(0, nextDay.exit(), nextDay.all());
        assertEquals(5, server.received().size());
        assertEquals(List.of(), pauses, "nothing waited for hours in-process");
    }

    @Test
    void maxDurationEndsTheRunAndLeavesTheRestPending() throws Exception {
        Cli.Result run = mailroom("run", job(5, "1/second").toString(), "--max-duration", "2s");
        assertEquals(75, run.exit(), run.all());
        assertTrue(run.err().contains("time bound"), run.err());
        assertEquals(2, server.received().size());
        assertTrue(mailroom("status", "test-job").out().contains("pending 3"));
    }

    private List<Instant> attemptStarts() throws Exception {
        List<Instant> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(db, "", ""); ResultSet rs = c.createStatement().executeQuery("SELECT started_at FROM attempts ORDER BY started_at, id")) {
            while (rs.next()) out.add(rs.getTimestamp(1).toInstant());
        }
        return out;
    }
}
