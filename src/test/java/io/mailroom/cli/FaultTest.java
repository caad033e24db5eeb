package io.mailroom.cli;

import static io.mailroom.testing.ScriptedSmtpServer.Fault.DRIP_AFTER_DOT;
import static io.mailroom.testing.ScriptedSmtpServer.Fault.DROP_AFTER_DOT;
import static io.mailroom.testing.ScriptedSmtpServer.Fault.DROP_AT_DATA;
import static io.mailroom.testing.ScriptedSmtpServer.Fault.DROP_IN_DATA;
import static io.mailroom.testing.ScriptedSmtpServer.Fault.FORGED_OK_AFTER_354;
import static io.mailroom.testing.ScriptedSmtpServer.Fault.HANG_AFTER_DOT;
import static io.mailroom.testing.ScriptedSmtpServer.Fault.OK_INSTEAD_OF_354;
import static io.mailroom.testing.ScriptedSmtpServer.Fault.REFUSED_MAIL_THEN_354;
import static io.mailroom.testing.ScriptedSmtpServer.Fault.SILENT_AFTER_DOT;
import static io.mailroom.testing.ScriptedSmtpServer.Fault.STALL_IN_DATA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.JobDir;
import io.mailroom.testing.ScriptedSmtpServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Faults no real server produces on demand, from a scripted server on a real socket; each run both
 * lock-step and pipelined. The server's own record of what it accepted is the truth the statuses must match:
 * nothing lost, nothing sent twice, and a message whose fate the client cannot know is unknown.
 */
class FaultTest extends AgainstScriptedServer {
    private Path job(int rows, String... keys) throws Exception {
        JobDir job = new JobDir(dir.resolve("job")).numberedRecipients(rows).smtp("127.0.0.1", server.port(), "none");
        for (int i = 0; i + 1 < keys.length; i += 2) job.set(keys[i], keys[i + 1]);
        return job.write();
    }

    private Map<String, Long> receivedPerRecipient() {
        return server.received().stream().map(r -> r.recipients().get(0)).collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    /** The failure text of every attempt that has one. */
    private List<String> failures() throws Exception {
        List<String> out = new java.util.ArrayList<>();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(db, "", "");
             java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT failure FROM attempts WHERE failure IS NOT NULL ORDER BY id")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    /** The status of each attempt for the recipient {@code key}, in order. */
    private List<String> attemptStatuses(String key) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(db, "", "");
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT a.status FROM attempts a JOIN recipients r ON r.id = a.recipient_id"
                     + " WHERE r.rkey = ? ORDER BY a.id")) {
            ps.setString(1, key);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** How the JSON report begins a one-address recipient's entry with its status. */
    private static String entry(String key, String status) {
        return "\"key\": \"" + key + "\", \"to\": [\"" + key + "\"], \"status\": \"" + status + "\"";
    }

    private String report() {
        return mailroom("report", "test-job", "--format", "json").out();
    }

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {false, true})
    void messagesTakenButNeverCarriedHaveNoAttemptAndGoOnTheNextSession(boolean pipelining) throws Exception {
        server.pipelining(pipelining).closeAfter(2);
        Cli.Result run = mailroom("run", job(10).toString());
        assertEquals(0, run.exit(), run.all());
        assertEquals(10, receivedPerRecipient().size());
        assertTrue(receivedPerRecipient().values().stream().allMatch(n -> n == 1));
        long transactions = server.clientLines().stream().filter(l -> l.startsWith("MAIL FROM")).count();
        // each row's attempts (its addresses' entries repeat them)
        long attempts = java.util.regex.Pattern.compile("\"to\": \\[[^\\]]*\\], \"status\": \"\\w+\", \"attempts\": (\\d+)").matcher(report()).results().mapToLong(m -> Long.parseLong(m.group(1))).sum();
        assertEquals(transactions, attempts, "one attempt per transaction the server saw, none for a message that stayed in the queue");
    }

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {false, true})
    void connectionLostAtDataIsRetriedOnAFreshSessionAndSentOnce(boolean pipelining) throws Exception {
        server.pipelining(pipelining).fault(2, DROP_AT_DATA);
        Cli.Result run = mailroom("run", job(4).toString());
        assertEquals(0, run.exit(), run.all());
        assertEquals(Map.of("user1@example.com", 1L, "user2@example.com", 1L, "user3@example.com", 1L, "user4@example.com", 1L), receivedPerRecipient());
        assertTrue(report().contains(entry("user2@example.com", "sent") + ", \"attempts\": 2"), report());
    }

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {false, true})
    void connectionResetWhileWritingContentIsDeferredAndRetried(boolean pipelining) throws Exception {
        server.pipelining(pipelining).fault(1, DROP_IN_DATA);
        JobDir job = new JobDir(dir.resolve("big")).csv("email,first_name,n\nuser1@example.com,User1,1\n").smtp("127.0.0.1", server.port(), "none")
                .file("message.ftl", JobDir.TEMPLATE.replace("Subject:", "Attachment: big.bin\nSubject:"))
                .bytes("big.bin", new byte[24 * 1024 * 1024]).set("message.max-size", "64MB");
        Cli.Result run = mailroom("run", job.write().toString());
        assertEquals(0, run.exit(), run.all());
        assertEquals(Map.of("user1@example.com", 1L), receivedPerRecipient());
        assertTrue(report().contains("\"status\": \"sent\", \"attempts\": 2"), report());
    }

    @Test
    void serverThatStopsReadingMidMessageCannotHangTheJob() throws Exception {
        server.fault(1, STALL_IN_DATA);
        JobDir job = new JobDir(dir.resolve("stall")).csv("email,first_name,n\nuser1@example.com,User1,1\n").smtp("127.0.0.1", server.port(), "none")
                .set("smtp.timeout", "1s").file("message.ftl", JobDir.TEMPLATE.replace("Subject:", "Attachment: big.bin\nSubject:"))
                .bytes("big.bin", new byte[24 * 1024 * 1024]).set("message.max-size", "64MB");
        Cli.Result run = mailroom("run", job.write().toString());
        assertEquals(0, run.exit(), run.all());
        assertEquals(Map.of("user1@example.com", 1L), receivedPerRecipient());
        String json = report();
        assertTrue(json.contains("\"status\": \"sent\", \"attempts\": 2"), json);
    }

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {false, true})
    void connectionLostAfterTheFinalDotIsUnknownAndNeverResentSilently(boolean pipelining) throws Exception {
        server.pipelining(pipelining).fault(2, DROP_AFTER_DOT);
        Cli.Result run = mailroom("run", job(4).toString());
        assertEquals(1, run.exit(), run.all());
        assertEquals(Map.of("user1@example.com", 1L, "user2@example.com", 1L, "user3@example.com", 1L, "user4@example.com", 1L), receivedPerRecipient(),
                "the server has every message exactly once");
        String json = report();
        assertTrue(json.contains(entry("user2@example.com", "unknown")), json);
        assertTrue(json.contains("\"sent\": 3") && json.contains("\"unknown\": 1"), json);

        assertEquals(1, mailroom("resume", "test-job").exit());
        assertEquals(4, server.received().size(), "resume does not resend an unknown recipient");
        assertEquals(0, mailroom("resume", "test-job", "--resend-unknown").exit());
        assertEquals(2L, receivedPerRecipient().get("user2@example.com"), "--resend-unknown sends it again, as asked");
    }

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {false, true})
    void hungServerTimesOutAndTheUnansweredMessageIsUnknown(boolean pipelining) throws Exception {
        server.pipelining(pipelining).fault(1, HANG_AFTER_DOT);
        Cli.Result run = mailroom("run", job(3, "smtp.timeout", "1s").toString());
        assertEquals(1, run.exit(), run.all());
        String json = report();
        assertTrue(json.contains(entry("user1@example.com", "unknown")), json);
        assertTrue(json.contains("\"sent\": 2"), json);
        assertEquals(3, server.received().size());
    }

    @ParameterizedTest(name = "{0}, pipelining={1}")
    @CsvSource({"MAIL, false", "MAIL, true", "RCPT, false", "RCPT, true", "DATA, false", "DATA, true"})
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aServerThatNeverAnswersMailRcptOrDataTimesOutAndTheMessageIsDeferredNeverSentNorUnknown(String step, boolean pipelining)
            throws Exception {
        ScriptedSmtpServer.Fault hang = ScriptedSmtpServer.Fault.valueOf("HANG_AT_" + step);
        server.pipelining(pipelining).fault(2, hang).fault(3, hang).fault(4, hang);
        Cli.Result run = mailroom("run", job(2, "smtp.timeout", "1s").toString());
        assertEquals(75, run.exit(), run.all());
        assertEquals(Map.of("user1@example.com", 1L), receivedPerRecipient());
        String json = report();
        assertTrue(json.contains(entry("user1@example.com", "sent")), json);
        assertTrue(json.contains(entry("user2@example.com", "deferred") + ", \"attempts\": 3"), json);
        String timedOut = "connection failed during " + step + ": timed out after 1000 ms waiting for the server's reply to " + step;
        assertEquals(List.of(timedOut, timedOut, timedOut), failures());
        assertEquals(List.of("deferred", "deferred", "deferred"), attemptStatuses("user2@example.com"), "no try of it is ever sent or unknown");
        assertEquals(3, server.connections(), "each try after a hang on a fresh session");
    }

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {false, true})
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aReplyTrickledByteByByteStillTimesOutAsAWhole(boolean pipelining) throws Exception {
        server.pipelining(pipelining).fault(1, DRIP_AFTER_DOT);
        Cli.Result run = mailroom("run", job(3, "smtp.timeout", "1s").toString());
        assertEquals(1, run.exit(), run.all());
        String json = report();
        assertTrue(json.contains(entry("user1@example.com", "unknown")), json);
        assertTrue(json.contains("timed out"), json);
        assertTrue(json.contains("\"sent\": 2"), json);
        assertEquals(3, server.received().size());
    }

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {false, true})
    void aServerThatAnswersDataWithAnythingButA354HasNotBeenSentTheMessage(boolean pipelining) throws Exception {
        server.pipelining(pipelining).fault(1, OK_INSTEAD_OF_354);
        Cli.Result run = mailroom("run", job(3).toString());
        assertEquals(0, run.exit(), run.all());
        assertEquals(Map.of("user1@example.com", 1L, "user2@example.com", 1L, "user3@example.com", 1L), receivedPerRecipient());
        assertEquals(List.of("protocol error during DATA: DATA was answered 250 instead of 354; the content was not sent"), failures());
        assertEquals(2, server.connections(), "the session that said 250 to DATA is not trusted with another message");
    }

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {false, true})
    void aReplyTheServerSentBeforeBeingAskedIsNeverTakenForTheVerdictOnTheMessage(boolean pipelining) throws Exception {
        server.pipelining(pipelining).fault(1, FORGED_OK_AFTER_354);
        Cli.Result run = mailroom("run", job(2).toString());
        assertEquals(0, run.exit(), run.all());
        assertEquals(Map.of("user1@example.com", 1L, "user2@example.com", 1L), receivedPerRecipient(), "the refused try left nothing behind");
        assertEquals(List.of("protocol error during DATA: the server sent more than its reply to DATA (\"250 2.0.0 Ok: queued as FORGED\");"
                + " what it says next cannot be matched to what was asked"), failures());
    }

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {false, true})
    void aMessageTheServerNeverAnsweredIsUnknownEvenWhenItGoesOnAnsweringTheNextCommands(boolean pipelining) throws Exception {
        server.pipelining(pipelining).fault(1, SILENT_AFTER_DOT);
        Cli.Result run = mailroom("run", job(2, "smtp.timeout", "1s").toString());
        assertEquals(1, run.exit(), run.all());
        String json = report();
        assertTrue(json.contains(entry("user1@example.com", "unknown")), json);
        assertTrue(json.contains(entry("user2@example.com", "sent")), json);
        assertEquals(Map.of("user1@example.com", 1L, "user2@example.com", 1L), receivedPerRecipient());
    }

    @Test
    void aPipelinedServerThatRefusesMailYetSays354IsNotSentTheContent() throws Exception {
        server.pipelining(true).fault(1, REFUSED_MAIL_THEN_354);
        Cli.Result run = mailroom("run", job(2).toString());
        assertEquals(0, run.exit(), run.all());
        assertEquals(Map.of("user1@example.com", 1L, "user2@example.com", 1L), receivedPerRecipient());
        assertEquals(List.of("protocol error during DATA: DATA was answered 354 although MAIL FROM was refused"), failures());
    }

    /**
     * A broken server says 354 after refusing every RCPT. RFC 2920 section 3.1: the client sends a lone "."
     * (lock-step, DATA is never sent). The RCPT replies decide the message, whatever comes of that ".".
     */
    @ParameterizedTest(name = "{0}, pipelining={1}")
    @CsvSource({"DATA_WITHOUT_RECIPIENTS, false", "DATA_WITHOUT_RECIPIENTS, true", "DATA_WITHOUT_RECIPIENTS_THEN_SILENT, true"})
    void a354WithNoRecipientAcceptedGetsALoneDotNeverTheContentAndTheRecipientFailsWithItsRcptReply(ScriptedSmtpServer.Fault fault,
            boolean pipelining) throws Exception {
        server.pipelining(pipelining).fault(1, fault).rejectRecipient("user1@example.com", "550 5.1.1 <user1@example.com>: User unknown");
        Cli.Result run = mailroom("run", job(2, "smtp.timeout", "1s").toString());
        assertEquals(1, run.exit(), run.all());
        String json = report();
        assertTrue(json.contains(entry("user1@example.com", "failed") + ", \"attempts\": 1, \"reply\": {\"code\": 550, \"enhanced\": \"5.1.1\","
                + " \"text\": \"<user1@example.com>: User unknown\"}"), json);
        assertTrue(json.contains(entry("user2@example.com", "sent")), json);
        assertEquals(pipelining ? List.of("") : List.of(), server.received().stream().filter(r -> r.recipients().isEmpty()).map(r -> r.content()).toList(),
                "at most a lone \".\" after the 354, never the content");
        assertEquals(Map.of("user2@example.com", 1L), server.received().stream().filter(r -> !r.recipients().isEmpty())
                .collect(Collectors.groupingBy(r -> r.recipients().get(0), Collectors.counting())));
        boolean answered = fault == ScriptedSmtpServer.Fault.DATA_WITHOUT_RECIPIENTS;
        assertEquals(answered ? 1 : 2, server.connections(), "a session that answered the lone \".\" goes on; one that did not is dropped");
    }

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {false, true})
    void aReplyNoServerMayGiveToRcptDefersTheMessageInsteadOfDecidingIt(boolean pipelining) throws Exception {
        server.pipelining(pipelining).rejectRecipient("user2@example.com", "354 Go ahead");
        Cli.Result run = mailroom("run", job(3).toString());
        assertEquals(75, run.exit(), run.all());
        assertEquals(Map.of("user1@example.com", 1L, "user3@example.com", 1L), receivedPerRecipient());
        String json = report();
        assertTrue(json.contains(entry("user2@example.com", "deferred")), json);
        String rcpt = "protocol error during RCPT: RCPT was answered 354, which the protocol does not allow there";
        // pipelined, the message answered just before it in the same round cannot be believed delivered either
        String before = "protocol error during END_OF_DATA: the replies after the one to the final \".\" broke the protocol (RCPT was answered"
                + " 354, which the protocol does not allow there), so that one cannot be trusted";
        assertTrue(failures().contains(rcpt), failures().toString());
        assertTrue(failures().stream().allMatch(f -> f.equals(rcpt) || pipelining && f.equals(before)), failures().toString());
        for (String other : List.of("user1@example.com", "user3@example.com")) {
            assertTrue(json.contains(entry(other, "sent")) || pipelining && json.contains(entry(other, "unknown")), json);
        }
    }

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {false, true})
    void serverClosingAfterKMessagesLeadsToAFreshSessionNotAFailedJob(boolean pipelining) throws Exception {
        server.pipelining(pipelining).closeAfter(2);
        Cli.Result run = mailroom("run", job(5).toString());
        assertEquals(0, run.exit(), run.all());
        assertEquals(5, receivedPerRecipient().size());
        assertTrue(receivedPerRecipient().values().stream().allMatch(n -> n == 1));
        assertEquals(3, server.connections());
    }

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {false, true})
    void multiLineRepliesEverywhereAreUnderstood(boolean pipelining) throws Exception {
        server.pipelining(pipelining).multiLine(true);
        Cli.Result run = mailroom("run", job(3).toString());
        assertEquals(0, run.exit(), run.all());
        assertEquals(3, server.received().size());
        assertTrue(report().contains("\"reply\": {\"code\": 250, \"enhanced\": \"2.0.0\", \"text\": \"Ok: queued as Q1\\n(continued)\"}"), report());
    }

    @Test
    void burstOf451sIsDeferredAndSentOnceByALaterRunWhenDue() throws Exception {
        io.mailroom.testing.MutableClock clock = new io.mailroom.testing.MutableClock(java.time.Instant.parse("2026-11-22T10:00:00Z"));
        server.pipelining(true).transientBurst(3);
        Path job = job(5);
        Cli.Result first = Cli.run(Map.of(), clock, d -> { }, Cli.withDb(db, "run", job.toString()));
        assertEquals(75, first.exit(), first.all());
        assertEquals(2, server.received().size());
        assertEquals(75, Cli.run(Map.of(), clock, d -> { }, Cli.withDb(db, "resume", "test-job")).exit(), "not due yet: nothing sent");
        assertEquals(2, server.received().size());

        clock.advance(java.time.Duration.ofMinutes(2));
        Cli.Result later = Cli.run(Map.of(), clock, d -> { }, Cli.withDb(db, "resume", "test-job"));
        assertEquals(0, later.exit(), later.all());
        assertEquals(5, receivedPerRecipient().size());
        assertTrue(receivedPerRecipient().values().stream().allMatch(n -> n == 1), receivedPerRecipient().toString());
    }

    @Test
    void slowGreetingWithinTheTimeoutIsFineBeyondItTheServerIsUnreachable() throws Exception {
        server.greetingDelay(300);
        assertEquals(0, mailroom("run", job(1, "smtp.timeout", "5s").toString()).exit());
        server.greetingDelay(3000);
        Cli.Result slow = mailroom("run", job(2, "smtp.timeout", "1s").toString());
        assertEquals(69, slow.exit(), slow.all());
        assertTrue(slow.err().contains("timed out"), slow.err());
    }

    @Test
    void serverThatKeepsDroppingDefersAfterTwoQuickRetriesInsteadOfLooping() throws Exception {
        for (int i = 1; i <= 10; i++) server.fault(i, DROP_AT_DATA);
        Cli.Result run = mailroom("run", job(1).toString());
        assertEquals(75, run.exit(), run.all());
        assertTrue(report().contains("\"status\": \"deferred\", \"attempts\": 3"), report());
        assertEquals(List.of(), server.received());
    }
}
