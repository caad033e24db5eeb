package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.JobDir;
import io.mailroom.testing.MutableClock;
import io.mailroom.testing.ScriptedSmtpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every To, Cc and Bcc address has its own status: the server's verdict on each RCPT is recorded for that
 * address, only the addresses still due go into a retry, and a row finished with some sent and others
 * not is partial. What the scripted server received is the truth the statuses must match.
 */
class PerAddressTest {
    @TempDir
    Path dir;
    String db;
    ScriptedSmtpServer server;
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));

    @BeforeEach
    void setUp() throws Exception {
        db = "jdbc:h2:" + dir.resolve("db").toAbsolutePath();
        server = new ScriptedSmtpServer();
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
    }

    private Cli.Result mailroom(String... args) {
        return Cli.run(Map.of(), clock, d -> clock.advance(d), Cli.withDb(db, args));
    }

    /** One row: To user1@example.com, and {@code header} copy@example.com. */
    private Path job(String header) throws Exception {
        return new JobDir(dir.resolve("job")).smtp("127.0.0.1", server.port(), "none").numberedRecipients(1)
                .file("message.ftl", JobDir.TEMPLATE.replace("Subject:", header + ": copy@example.com\nSubject:")).write();
    }

    private String address(String address, String kind, String status, int attempts) {
        return "{\"address\": \"" + address + "\", \"kind\": \"" + kind + "\", \"status\": \"" + status + "\", \"attempts\": " + attempts + ",";
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Cc", "Bcc"})
    void anAddressDeferredBesideAnAcceptedToIsRetriedAloneAfterItsWaitAndTheToGetsNoSecondCopy(String header) throws Exception {
        server.rejectRecipient("copy@example.com", "451 4.3.0 try again later");
        Path job = job(header);
        String kind = header.toLowerCase(java.util.Locale.ROOT);

        Cli.Result first = mailroom("run", job.toString());
        assertEquals(75, first.exit(), first.all());
        String json = mailroom("report", "test-job", "--format", "json").out();
        assertTrue(json.contains("\"status\": \"deferred\"") && json.contains(address("user1@example.com", "to", "sent", 1))
                && json.contains(address("copy@example.com", kind, "deferred", 1) + " \"reply\": {\"code\": 451, \"enhanced\": \"4.3.0\""), json);
        String waiting = mailroom("resume", "test-job").out();
        java.util.regex.Matcher due = java.util.regex.Pattern.compile("nothing due: sent nothing; the next deferred address is due at (\\S+Z)").matcher(waiting);
        assertTrue(due.find(), "the Cc waits out its backoff, and says until when: " + waiting);
        Duration wait = Duration.between(clock.instant(), java.time.Instant.parse(due.group(1)));
        assertTrue(wait.compareTo(Duration.ofSeconds(47)) >= 0 && wait.compareTo(Duration.ofSeconds(73)) <= 0, "a minute, give or take a fifth: " + wait);

        server.acceptRecipient("copy@example.com");
        clock.advance(Duration.ofMinutes(2));
        Cli.Result retry = mailroom("resume", "test-job");
        assertEquals(0, retry.exit(), retry.all());

        List<ScriptedSmtpServer.Received> got = server.received();
        assertEquals(List.of(List.of("user1@example.com"), List.of("copy@example.com")), got.stream().map(ScriptedSmtpServer.Received::recipients).toList(),
                "the retry's only RCPT is the address still due");
        assertEquals(messageId(got.get(0).content()), messageId(got.get(1).content()), "the same message, as MTAs retry it");
        assertEquals(header.equals("Cc"), got.get(1).content().contains("Cc: copy@example.com"), "a Bcc is in no header, even on a retry");
        json = mailroom("report", "test-job", "--format", "json").out();
        assertTrue(json.contains("\"counts\": {\"pending\": 0, \"deferred\": 0, \"sent\": 1,") && json.contains(address("user1@example.com", "to", "sent", 1))
                && json.contains(address("copy@example.com", kind, "sent", 2)), json);
    }

    @Test
    void aToRefusedBesideAnAcceptedCcMakesThePartialRowThatRetryFailedCompletes() throws Exception {
        server.rejectRecipient("user1@example.com", "550 5.1.1 <user1@example.com>: User unknown");
        Path job = job("Cc");

        Cli.Result run = mailroom("run", job.toString());
        assertEquals(1, run.exit(), run.all());
        assertTrue(run.out().contains("partial 1 (finished with problems"), run.out());
        String json = mailroom("report", "test-job", "--format", "json").out();
        assertTrue(json.contains("\"status\": \"partial\"") && json.contains("\"partial\": 1")
                && json.contains(address("user1@example.com", "to", "failed", 1) + " \"reply\": {\"code\": 550, \"enhanced\": \"5.1.1\"")
                && json.contains(address("copy@example.com", "cc", "sent", 1)), json);
        assertEquals(1, mailroom("status", "test-job").exit(), "partial is finished with problems");

        server.acceptRecipient("user1@example.com");
        Cli.Result again = mailroom("resume", "test-job", "--retry-failed");
        assertEquals(0, again.exit(), again.all());
        assertTrue(again.err().contains("1 failed address(es) will be retried"), again.err());
        assertEquals(List.of(List.of("copy@example.com"), List.of("user1@example.com")),
                server.received().stream().map(ScriptedSmtpServer.Received::recipients).toList(), "the Cc that was sent is never sent again");
    }

    @Test
    void everyAddressRefusedFailsTheRowAndNothingIsSent() throws Exception {
        server.rejectRecipient("user1@example.com", "550 5.1.1 no").rejectRecipient("copy@example.com", "554 5.7.1 not here");
        Cli.Result run = mailroom("run", job("Cc").toString());
        assertEquals(1, run.exit(), run.all());
        assertTrue(run.out().contains("failed 1") && !run.out().contains("partial 1"), run.out());
        assertTrue(server.received().isEmpty());
        String json = mailroom("report", "test-job", "--format", "json").out();
        assertTrue(json.contains(address("copy@example.com", "cc", "failed", 1) + " \"reply\": {\"code\": 554, \"enhanced\": \"5.7.1\""), json);
        assertFalse(json.contains("\"status\": \"sent\""), json);
    }

    @Test
    void aRowPartlySentThatStopsRenderingFailsItsAddressesLeftAndIsNeverPlannedAfreshToSendAgain() throws Exception {
        server.rejectRecipient("copy@example.com", "451 4.3.0 try again later");
        String good = JobDir.TEMPLATE.replace("Subject:", "Cc: copy@example.com\nSubject:");
        JobDir job = new JobDir(dir.resolve("job")).smtp("127.0.0.1", server.port(), "none").numberedRecipients(1).file("message.ftl", good);
        assertEquals(75, mailroom("run", job.write().toString()).exit());
        server.acceptRecipient("copy@example.com");
        clock.advance(Duration.ofMinutes(2));

        // fails on this row's value (User1 has no second word); a variable that is no column would be refused for every row
        job.file("message.ftl", JobDir.TEMPLATE.replace("Subject:", "Cc: ${first_name?split(\" \")[1]}\nSubject:"));
        Cli.Result run = mailroom("run", job.write().toString(), "--accept-template-change");
        assertEquals(1, run.exit(), run.all());
        String json = mailroom("report", "test-job", "--format", "json").out();
        assertTrue(json.contains("\"status\": \"partial\"") && json.contains(address("copy@example.com", "cc", "failed", 1)), json);

        Cli.Result fixed = mailroom("run", job.file("message.ftl", good).write().toString(), "--accept-template-change");
        assertEquals(1, fixed.exit(), fixed.all());
        assertEquals(List.of(List.of("user1@example.com")), server.received().stream().map(ScriptedSmtpServer.Received::recipients).toList(),
                "the To that has the message never gets it again, nor under a new Message-ID");
    }

    @Test
    void anAcceptedTemplateChangeDecidesWhoTheRowsNotYetSentGoTo() throws Exception {
        JobDir job = new JobDir(dir.resolve("job")).smtp("127.0.0.1", server.port(), "none").numberedRecipients(2)
                .file("message.ftl", JobDir.TEMPLATE.replace("Subject:", "Cc: copy@example.com\nSubject:"));
        assertEquals(75, mailroom("run", job.write().toString(), "--limit", "1").exit());
        job.file("message.ftl", JobDir.TEMPLATE.replace("Subject:", "Bcc: archive@example.com\nSubject:"));
        Cli.Result run = mailroom("run", job.write().toString(), "--accept-template-change");
        assertEquals(0, run.exit(), run.all());
        assertEquals(List.of(List.of("user1@example.com", "copy@example.com"), List.of("user2@example.com", "archive@example.com")),
                server.received().stream().map(ScriptedSmtpServer.Received::recipients).toList());
    }

    private static String messageId(String content) {
        return content.lines().filter(l -> l.startsWith("Message-ID: ")).findFirst().orElseThrow();
    }
}
