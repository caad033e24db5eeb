package io.mailroom.send;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.smtp.Exchange;
import io.mailroom.smtp.SmtpReply;
import io.mailroom.smtp.Step;
import io.mailroom.store.Outcome;
import io.mailroom.store.RecipientStatus;
import io.mailroom.store.Store;
import io.mailroom.testing.Child;
import io.mailroom.testing.JobDir;
import io.mailroom.testing.ScriptedSmtpServer;
import io.mailroom.testing.StoredReplies;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal file on its own (what a kill mid-write, a foreign file and a full round trip leave readable),
 * and its replay by the real program (a child JVM, as the journal's classes are the send package's own):
 * a journal crafted as a killed run would have left it, beside the database of a real job.
 */
class FlightJournalTest {
    private static final String TOKEN = "0f1e2d3c-token-of-this-database";
    private static final Instant T = Instant.parse("2026-11-22T10:00:00.123Z");

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("db.mv.db.test-job.flight");
    }

    private static FlightJournal.Dot dot(int flight, long recipient, Integer... seqs) {
        return bareDot(7, flight, recipient, "7." + flight, T.plusSeconds(flight), seqs);
    }

    /** A dot whose addresses were all accepted: unknown if no reply comes. */
    private static FlightJournal.Dot bareDot(long run, int flight, long recipient, String session, Instant at, Integer... seqs) {
        Map<Integer, Outcome> unknown = new java.util.LinkedHashMap<>();
        for (int seq : seqs) unknown.put(seq, new Outcome(RecipientStatus.UNKNOWN, null, Lane.UNANSWERED, null));
        return new FlightJournal.Dot(run, flight, recipient, session, at, null, unknown, List.of());
    }

    private static FlightJournal.Reply sent(int flight, int seq) {
        SmtpReply ok = SmtpReply.of(250, "2.0.0", "Ok: queued as Q" + flight);
        return new FlightJournal.Reply(flight, T.plusSeconds(flight).plusMillis(40), Map.of(seq, new Outcome(RecipientStatus.SENT, ok, null, null)),
                List.of(new Exchange(Step.MAIL, "team@example.com", SmtpReply.of(250, "2.1.0", "Ok")),
                        new Exchange(Step.RCPT, "user" + flight + "@example.com", SmtpReply.of(250, "2.1.5", "Ok")),
                        new Exchange(Step.DATA, null, SmtpReply.of(354, null, "End data with <CR><LF>.<CR><LF>")),
                        new Exchange(Step.END_OF_DATA, null, ok)));
    }

    @Test
    void dotWithoutReplyAndDotWithReplyComeBackAsWritten() throws Exception {
        SmtpReply multiLine = new SmtpReply(250, "2.0.0", List.of("Ok: queued as 4XyZ", "second line of the reply", "Grüße, 芳"));
        SmtpReply deferring = new SmtpReply(451, "4.3.0", List.of("Local error,", "try again later"));
        SmtpReply refused = SmtpReply.of(550, null, "No such user");
        Map<Integer, Outcome> outcomes = new LinkedHashMap<>();
        outcomes.put(1, new Outcome(RecipientStatus.SENT, multiLine, null, null));
        outcomes.put(2, new Outcome(RecipientStatus.DEFERRED, deferring, "the server asked to try again", T.plusSeconds(60)));
        outcomes.put(3, new Outcome(RecipientStatus.FAILED, refused, null, null));
        outcomes.put(4, new Outcome(RecipientStatus.UNKNOWN, null, "connection lost during END_OF_DATA", null));
        List<Exchange> exchanges = List.of(
                new Exchange(Step.MAIL, "bounces@example.com", SmtpReply.of(250, "2.1.0", "Ok")),
                new Exchange(Step.RCPT, "ann@example.com", SmtpReply.of(250, "2.1.5", "Ok")),
                new Exchange(Step.RCPT, "bob@example.com", deferring),
                new Exchange(Step.RCPT, "cid@example.com", refused),
                new Exchange(Step.DATA, null, SmtpReply.of(354, null, "End data with <CR><LF>.<CR><LF>")),
                new Exchange(Step.END_OF_DATA, null, multiLine));
        FlightJournal.Dot bare = dot(1, 101, 1);
        FlightJournal.Dot answered = dot(2, 102, 1, 2, 3, 4);
        FlightJournal.Reply reply = new FlightJournal.Reply(2, T.plusSeconds(3), outcomes, exchanges);
        try (FlightJournal journal = FlightJournal.create(file(), TOKEN)) {
            journal.dot(bare);
            journal.dot(answered);
            journal.reply(reply);
        }

        List<FlightJournal.Flight> read = FlightJournal.read(file(), TOKEN);

        assertEquals(List.of(new FlightJournal.Flight(bare, null), new FlightJournal.Flight(answered, reply)), read);
        assertEquals(List.of(1, 2, 3, 4), List.copyOf(read.get(1).reply().outcomes().keySet()), "outcomes keep their address order");
        assertNull(read.get(1).reply().outcomes().get(1).notBefore());
        assertNull(read.get(1).reply().outcomes().get(4).reply());
        assertEquals(List.of("Ok: queued as 4XyZ", "second line of the reply", "Grüße, 芳"), read.get(1).reply().outcomes().get(1).reply().lines());
    }

    @Test
    void anAttemptsEnvidComesBackWithItsDotAndADotAnOlderVersionWroteHasNone() throws Exception {
        FlightJournal.Dot withEnvid = new FlightJournal.Dot(7, 1, 101, "7.1", T, "r2da1-abcdefgh", Map.of(), List.of());
        try (FlightJournal journal = FlightJournal.create(file(), TOKEN)) {
            journal.dot(withEnvid);
        }
        assertEquals(List.of(new FlightJournal.Flight(withEnvid, null)), FlightJournal.read(file(), TOKEN));

        // as the version before ENVIDs wrote a dot: the same fields, nothing after the replies
        java.io.ByteArrayOutputStream payload = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream d = new java.io.DataOutputStream(payload);
        d.writeByte('D');
        d.writeLong(7);
        d.writeInt(1);
        d.writeLong(101);
        d.writeUTF("7.1");
        d.writeLong(T.toEpochMilli());
        d.writeInt(0);
        d.writeInt(0);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(payload.toByteArray());
        java.io.ByteArrayOutputStream old = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream o = new java.io.DataOutputStream(old);
        o.write("mailroom flight journal 1\n".getBytes(StandardCharsets.US_ASCII));
        o.writeUTF(TOKEN);
        o.writeInt(payload.size());
        o.writeInt((int) crc.getValue());
        o.write(payload.toByteArray());
        Files.write(file(), old.toByteArray());
        assertEquals(List.of(new FlightJournal.Flight(new FlightJournal.Dot(7, 1, 101, "7.1", T, null, Map.of(), List.of()), null)),
                FlightJournal.read(file(), TOKEN));
    }

    @Test
    void aReplyWrittenBeforeTheNextDotStaysWithItsOwnFlight() throws Exception {
        try (FlightJournal journal = FlightJournal.create(file(), TOKEN)) {
            journal.dot(dot(1, 101, 1));
            journal.dot(dot(2, 102, 1));
            journal.reply(sent(1, 1));
            journal.dot(dot(3, 103, 1));
        }
        List<FlightJournal.Flight> read = FlightJournal.read(file(), TOKEN);
        assertEquals(List.of(new FlightJournal.Flight(dot(1, 101, 1), sent(1, 1)), new FlightJournal.Flight(dot(2, 102, 1), null),
                new FlightJournal.Flight(dot(3, 103, 1), null)), read);
    }

    @Test
    void tornLastRecordIsIgnoredAtEveryOffsetAndTheRecordsBeforeItAreReadIntact() throws Exception {
        long beforeLast;
        try (FlightJournal journal = FlightJournal.create(file(), TOKEN)) {
            journal.dot(dot(1, 101, 1));
            journal.reply(sent(1, 1));
            journal.dot(dot(2, 102, 1, 2));
            beforeLast = Files.size(file());
            journal.reply(sent(2, 1));
        }
        byte[] whole = Files.readAllBytes(file());
        List<FlightJournal.Flight> intact = List.of(new FlightJournal.Flight(dot(1, 101, 1), sent(1, 1)), new FlightJournal.Flight(dot(2, 102, 1, 2), null));
        assertEquals(List.of(intact.get(0), new FlightJournal.Flight(dot(2, 102, 1, 2), sent(2, 1))), FlightJournal.read(file(), TOKEN));

        for (int length = (int) beforeLast; length < whole.length; length++) {
            Files.write(file(), Arrays.copyOf(whole, length));
            assertEquals(intact, FlightJournal.read(file(), TOKEN), "cut at " + length + " of " + whole.length);
        }
    }

    @Test
    void lastRecordWithDamagedBytesIsIgnoredAndTheRecordsBeforeItAreReadIntact() throws Exception {
        long beforeLast;
        try (FlightJournal journal = FlightJournal.create(file(), TOKEN)) {
            journal.dot(dot(1, 101, 1));
            journal.reply(sent(1, 1));
            beforeLast = Files.size(file());
            journal.dot(dot(2, 102, 1));
        }
        byte[] whole = Files.readAllBytes(file());
        List<FlightJournal.Flight> intact = List.of(new FlightJournal.Flight(dot(1, 101, 1), sent(1, 1)));
        // any byte of the record (length, checksum or payload) written wrong, as a kill between pages can leave it
        for (int at = (int) beforeLast; at < whole.length; at++) {
            byte[] damaged = whole.clone();
            damaged[at] ^= 0x5a;
            Files.write(file(), damaged);
            assertEquals(intact, FlightJournal.read(file(), TOKEN), "byte " + at + " of " + whole.length + " damaged");
        }
        // the payload overwritten by zeros (a file extended but not yet written)
        byte[] zeroed = whole.clone();
        Arrays.fill(zeroed, (int) beforeLast + 8, whole.length, (byte) 0);
        Files.write(file(), zeroed);
        assertEquals(intact, FlightJournal.read(file(), TOKEN));
    }

    @Test
    void largeJournalIsRewrittenWithOnlyTheAttemptsTheStoreLacksAndStaysAppendable() throws Exception {
        String longText = "x".repeat(3900);
        FlightJournal.Reply keptReply = null;
        try (FlightJournal journal = FlightJournal.create(file(), TOKEN)) {
            List<Integer> inTheStore = new java.util.ArrayList<>();
            for (int flight = 1; flight <= 1200; flight++) {
                journal.dot(dot(flight, 100 + flight, 1));
                if (flight == 1000) continue;
                FlightJournal.Reply reply = new FlightJournal.Reply(flight, T.plusSeconds(flight), Map.of(1, new Outcome(RecipientStatus.DEFERRED,
                        SmtpReply.of(451, "4.3.0", longText), null, T.plusSeconds(3600))), List.of());
                journal.reply(reply);
                if (flight == 7) keptReply = reply;
                else inTheStore.add(flight);
            }
            assertTrue(Files.size(file()) > 4L << 20, "large enough to be rewritten: " + Files.size(file()));
            journal.settled(inTheStore);
            assertTrue(Files.size(file()) < 64 << 10, "rewritten: " + Files.size(file()));
            assertTrue(!journal.isSettled());
            journal.dot(dot(1201, 1301, 1));
        }
        assertEquals(List.of(new FlightJournal.Flight(dot(7, 107, 1), keptReply), new FlightJournal.Flight(dot(1000, 1100, 1), null),
                new FlightJournal.Flight(dot(1201, 1301, 1), null)), FlightJournal.read(file(), TOKEN));
    }

    @Test
    void journalWithOnlyItsHeaderNamesNoAttemptAndNoFileNamesNone() throws Exception {
        FlightJournal.create(file(), TOKEN).close();
        assertEquals(List.of(), FlightJournal.read(file(), TOKEN));
        assertEquals(List.of(), FlightJournal.read(dir.resolve("absent.flight"), TOKEN));
    }

    @Test
    void fileThatIsNotAJournalIsRefused() throws Exception {
        for (String content : List.of("", "hello\n", "mailroom flight journal 0\n\u0000\u0003abc", "mailroom flight journal")) {
            Files.write(file(), content.getBytes(StandardCharsets.ISO_8859_1));
            JournalException e = assertThrows(JournalException.class, () -> FlightJournal.read(file(), TOKEN), content);
            assertEquals(JournalException.Kind.NOT_OURS, e.kind());
            assertTrue(e.getMessage().contains(file().toString()), e.getMessage());
        }
    }

    @Test
    void journalOfAnotherDatabaseIsRefused() throws Exception {
        try (FlightJournal journal = FlightJournal.create(file(), "another-database-token")) {
            journal.dot(dot(1, 101, 1));
        }
        JournalException e = assertThrows(JournalException.class, () -> FlightJournal.read(file(), TOKEN));
        assertEquals(JournalException.Kind.NOT_OURS, e.kind());
        assertTrue(e.getMessage().contains(file().toString()) && e.getMessage().contains("another database"), e.getMessage());
    }

    @Test
    void journalWithAHeaderCutInsideItsTokenIsRefused() throws Exception {
        FlightJournal.create(file(), TOKEN).close();
        byte[] whole = Files.readAllBytes(file());
        Files.write(file(), Arrays.copyOf(whole, whole.length - 3));
        assertEquals(JournalException.Kind.NOT_OURS, assertThrows(JournalException.class, () -> FlightJournal.read(file(), TOKEN)).kind());
    }

    // ---- replay, through the command line ----

    private String db() {
        return "jdbc:h2:" + dir.resolve("db").toAbsolutePath();
    }

    /** Where mailroom looks for test-job's journal: beside the H2 file, named after the job. */
    private Path journalOfTheJob() {
        return dir.resolve("db.test-job.flight");
    }

    /** test-job with {@code rows} numbered recipients, its first row sent by a first run (run id and token now in the database). */
    private void jobWithItsFirstRowSent(ScriptedSmtpServer server, int rows) throws Exception {
        Path job = new JobDir(dir.resolve("job")).numberedRecipients(rows).smtp("127.0.0.1", server.port(), "none").write();
        Exit first = mailroom("run", job.toString(), "--limit", "1");
        assertEquals(75, first.code(), first.output());
        assertEquals(1, server.received().size());
        assertTrue(Files.notExists(journalOfTheJob()), "a clean run deletes its journal");
    }

    @Test
    void replayedJournalSettlesEachAttemptOnceEvenWhenTheSameJournalIsReplayedAgain() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            jobWithItsFirstRowSent(server, 5);
            long run = scalar("SELECT MAX(id) FROM runs");
            Map<String, Long> ids = recipientIds();
            Instant started = Instant.parse("2026-11-22T10:00:00Z");
            SmtpReply ok = SmtpReply.of(250, "2.0.0", "Ok: queued as J3");
            SmtpReply noSuchUser = SmtpReply.of(550, "5.1.1", "No such user");
            // as the first run would have left it had it been killed after user4's reply: flight 1 (user1) the store has
            // already; user2's dot went unanswered; user3 was accepted, user4 refused, neither yet in the store
            try (FlightJournal journal = FlightJournal.create(journalOfTheJob(), text("SELECT journal_token FROM jobs WHERE name = 'test-job'"))) {
                journal.dot(bareDot(run, 1, ids.get("user1@example.com"), run + ".1", started, 1));
                journal.reply(new FlightJournal.Reply(1, started.plusMillis(30), Map.of(1, new Outcome(RecipientStatus.SENT, ok, null, null)), List.of()));
                journal.dot(bareDot(run, 2, ids.get("user2@example.com"), run + ".1", started.plusSeconds(1), 1));
                journal.dot(bareDot(run, 3, ids.get("user3@example.com"), run + ".1", started.plusSeconds(2), 1));
                journal.reply(new FlightJournal.Reply(3, started.plusSeconds(3), Map.of(1, new Outcome(RecipientStatus.SENT, ok, null, null)),
                        List.of(new Exchange(Step.MAIL, "team@example.com", SmtpReply.of(250, "2.1.0", "Ok")),
                                new Exchange(Step.RCPT, "user3@example.com", SmtpReply.of(250, "2.1.5", "Ok")),
                                new Exchange(Step.DATA, null, SmtpReply.of(354, null, "go ahead")), new Exchange(Step.END_OF_DATA, null, ok))));
                journal.dot(bareDot(run, 4, ids.get("user4@example.com"), run + ".1", started.plusSeconds(4), 1));
                journal.reply(new FlightJournal.Reply(4, started.plusSeconds(5), Map.of(1, new Outcome(RecipientStatus.FAILED, noSuchUser, null, null)),
                        List.of(new Exchange(Step.MAIL, "team@example.com", SmtpReply.of(250, "2.1.0", "Ok")),
                                new Exchange(Step.RCPT, "user4@example.com", noSuchUser))));
            }
            Path copy = Files.copy(journalOfTheJob(), dir.resolve("journal.copy"));

            Exit resumed = mailroom("resume", "test-job");
            assertEquals(1, resumed.code(), resumed.output());
            assertTrue(resumed.output().contains("1 message(s) had their final \".\" on the wire"), resumed.output());
            assertTrue(Files.notExists(journalOfTheJob()), "the replayed journal is deleted");
            Map<String, String> settled = Map.of("user1@example.com", "sent", "user2@example.com", "unknown", "user3@example.com", "sent",
                    "user4@example.com", "failed", "user5@example.com", "sent");
            assertEquals(settled, statuses());
            assertEquals(List.of("user1@example.com", "user5@example.com"), server.received().stream().map(r -> r.recipients().get(0)).toList(),
                    "only the row the journal does not name is sent; none it names goes again");
            assertEquals(550, scalar("SELECT a.reply_code FROM addresses a JOIN recipients r ON r.id = a.recipient_id WHERE r.rkey = 'user4@example.com'"));
            List<Exchange> replayed;
            try (Connection c = connect()) {
                replayed = StoredReplies.of(c, "r.rkey = 'user3@example.com'").values().stream().flatMap(List::stream).toList();
            }
            assertEquals(List.of(Step.MAIL, Step.RCPT, Step.DATA, Step.END_OF_DATA), replayed.stream().map(Exchange::step).toList(),
                    "the replayed attempt keeps every reply the journal holds");
            Map<String, Long> attemptsAfterReplay = attemptsByKey();
            assertEquals(Map.of("user1@example.com", 1L, "user2@example.com", 1L, "user3@example.com", 1L, "user4@example.com", 1L,
                    "user5@example.com", 1L), attemptsAfterReplay);
            long repliesAfterReplay = storedReplies();

            // as if the replay had been killed after its commit and before it deleted the file
            Files.copy(copy, journalOfTheJob(), StandardCopyOption.REPLACE_EXISTING);
            Exit again = mailroom("resume", "test-job");
            assertEquals(1, again.code(), again.output());
            assertTrue(!again.output().contains("final \".\" on the wire"), "no attempt is new to the store: " + again.output());
            assertTrue(Files.notExists(journalOfTheJob()));
            assertEquals(settled, statuses());
            assertEquals(attemptsAfterReplay, attemptsByKey(), "no attempt is stored twice");
            assertEquals(repliesAfterReplay, storedReplies());
            assertEquals(2, server.received().size(), "nothing more was sent");
        }
    }

    /** Leaves the journal a run killed mid-job would: user2's dot answered 250, user3's dot unanswered; neither in the store. */
    private void killedRunsJournal() throws Exception {
        long run = scalar("SELECT MAX(id) FROM runs");
        Map<String, Long> ids = recipientIds();
        Instant started = Instant.parse("2026-11-22T10:00:00Z");
        SmtpReply ok = SmtpReply.of(250, "2.0.0", "Ok: queued as K2");
        try (FlightJournal journal = FlightJournal.create(journalOfTheJob(), text("SELECT journal_token FROM jobs WHERE name = 'test-job'"))) {
            journal.dot(bareDot(run, 2, ids.get("user2@example.com"), run + ".1", started, 1));
            journal.reply(new FlightJournal.Reply(2, started.plusMillis(30), Map.of(1, new Outcome(RecipientStatus.SENT, ok, null, null)), List.of()));
            journal.dot(bareDot(run, 3, ids.get("user3@example.com"), run + ".1", started.plusSeconds(1), 1));
        }
    }

    @Test
    void statusAfterAKilledRunCountsWhatItsJournalHoldsAndSendsNothing() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            jobWithItsFirstRowSent(server, 4);
            killedRunsJournal();

            Exit status = mailroom("status", "test-job");

            assertTrue(status.output().contains("pending 1, deferred 0, sent 2, failed 0, unknown 1"), status.output());
            assertTrue(status.output().contains("1 message(s) had their final \".\" on the wire"), status.output());
            assertTrue(Files.notExists(journalOfTheJob()), "settled into the store, the journal goes");
            assertEquals(Map.of("user1@example.com", "sent", "user2@example.com", "sent", "user3@example.com", "unknown",
                    "user4@example.com", "pending"), statuses());
            assertEquals(1, server.received().size(), "status sends nothing");
        }
    }

    @Test
    void reportAfterAKilledRunShowsTheRepliesItsJournalHolds() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            jobWithItsFirstRowSent(server, 4);
            killedRunsJournal();

            Exit report = mailroom("report", "test-job", "--format", "csv");

            assertEquals(0, report.code(), report.output());
            assertTrue(report.output().lines().anyMatch(l -> l.contains("user2@example.com") && l.contains("sent") && l.contains("queued as K2")),
                    report.output());
            assertTrue(report.output().lines().anyMatch(l -> l.contains("user3@example.com") && l.contains("unknown")), report.output());
            assertTrue(Files.notExists(journalOfTheJob()));
        }
    }

    /**
     * The contract: unknown means the final "." went and no reply was read, a crash included, and
     * {@code resume --resend-unknown} sends unknown addresses again. What a killed run left in its journal is
     * unknown, so the same resume must send it too (once), not settle it only after the requeue has run.
     * Fails today: Jobs.resume requeues unknown addresses (line 101) before send() has Engine.settle replay the
     * journal (line 114), so it says "0 unknown address(es) will be sent again", then that one message is
     * unknown and "resume --resend-unknown sends them again".
     */
    @Test
    void resumeWithResendUnknownAlsoResendsWhatTheJournalOfAKilledRunLeftUnknown() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            jobWithItsFirstRowSent(server, 3);
            long run = scalar("SELECT MAX(id) FROM runs");
            try (FlightJournal journal = FlightJournal.create(journalOfTheJob(), text("SELECT journal_token FROM jobs WHERE name = 'test-job'"))) {
                journal.dot(bareDot(run, 2, recipientIds().get("user2@example.com"), run + ".1", Instant.parse("2026-11-22T10:00:00Z"), 1));
            }

            Exit resumed = mailroom("resume", "test-job", "--resend-unknown");

            assertEquals(0, resumed.code(), resumed.output());
            assertEquals(List.of("user1@example.com", "user2@example.com", "user3@example.com"),
                    server.received().stream().map(r -> r.recipients().get(0)).sorted().toList(), resumed.output());
            assertEquals(Map.of("user1@example.com", "sent", "user2@example.com", "sent", "user3@example.com", "sent"), statuses());
        }
    }

    /**
     * A run killed while waiting for the reply to a message's final "." leaves a bare dot; the addresses the
     * server took at RCPT are then unknown. One it refused at RCPT was never given the message: 550 keeps it
     * failed, 451 keeps it deferred (and retried), as the contract says per address.
     * Fails today: the dot records every address the message carried (Recorder.dot, FlightJournal.Dot#seqs) and
     * not the RCPT replies already read, so Recorder.replay makes the refused ones unknown too; a deferred one is
     * then never retried unless a human resends unknown ones. (OutcomePolicy.afterIoFailure, for a connection
     * lost after the dot in a live run, does keep such verdicts.)
     */
    @Test
    void addressesRefusedAtRcptKeepTheirVerdictWhenTheRunIsKilledWaitingForTheReplyToTheDot() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().fault(1, ScriptedSmtpServer.Fault.HANG_AFTER_DOT)
                .rejectRecipient("cc-1@example.com", "451 4.2.0 Mailbox busy, try again later")
                .rejectRecipient("bcc-1@example.com", "550 5.1.1 No such user")) {
            JobDir job = new JobDir(dir.resolve("job")).numberedRecipients(1).smtp("127.0.0.1", server.port(), "none");
            job.file("message.ftl", JobDir.TEMPLATE.replace("Subject:", "Cc: cc-${n}@example.com\nBcc: bcc-${n}@example.com\nSubject:"));
            Path log = dir.resolve("killed.log");
            Process p = Child.start(log, Map.of(), "run", job.write().toString(), "--db", db());
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                // the server has the message and will never answer its ".": the child waits for that reply until killed
                while (server.received().isEmpty() && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(2);
                assertEquals(1, server.received().size(), Child.output(log));
            } finally {
                p.destroyForcibly().waitFor();
            }
            assertTrue(Files.exists(journalOfTheJob()), "the killed run left its journal");

            Exit resumed = mailroom("resume", "test-job");

            assertEquals(Map.of("user1@example.com", "unknown", "cc-1@example.com", "deferred", "bcc-1@example.com", "failed"), statuses(),
                    resumed.output());
            assertEquals(1, server.received().size());
        }
    }

    @Test
    void journalOfAnotherDatabaseStopsResumeWithExit66NamingTheFileAndNothingIsSent() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            jobWithItsFirstRowSent(server, 3);
            long run = scalar("SELECT MAX(id) FROM runs");
            try (FlightJournal journal = FlightJournal.create(journalOfTheJob(), "token-of-a-database-restored-from-elsewhere")) {
                journal.dot(bareDot(run, 2, recipientIds().get("user2@example.com"), run + ".1", Instant.now(), 1));
            }
            byte[] foreign = Files.readAllBytes(journalOfTheJob());

            Exit resumed = mailroom("resume", "test-job");

            assertEquals(66, resumed.code(), resumed.output());
            assertTrue(resumed.output().contains(journalOfTheJob().toString()), resumed.output());
            assertEquals(1, server.received().size(), "nothing is sent");
            assertEquals(1, server.connections(), "no session is even opened");
            assertEquals(Map.of("user1@example.com", "sent", "user2@example.com", "pending", "user3@example.com", "pending"), statuses());
            assertArrayEquals(foreign, Files.readAllBytes(journalOfTheJob()), "the journal is left for a human to decide about");
        }
    }

    private record Exit(int code, String output) { }

    private Exit mailroom(String... args) throws Exception {
        Path log = dir.resolve("child-" + System.nanoTime() + ".log");
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--db", db()));
        Process p = Child.start(log, Map.of(), all.toArray(String[]::new));
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "mailroom " + String.join(" ", args) + " ends");
        return new Exit(p.exitValue(), Child.output(log));
    }

    private Connection connect() throws Exception {
        return DriverManager.getConnection(Store.killSafe(db()), "", "");
    }

    private long storedReplies() throws Exception {
        try (Connection c = connect()) {
            return StoredReplies.all(c).size();
        }
    }

    private long scalar(String sql) throws Exception {
        try (Connection c = connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getLong(1);
        }
    }

    private String text(String sql) throws Exception {
        try (Connection c = connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }

    private Map<String, Long> recipientIds() throws Exception {
        Map<String, Long> out = new TreeMap<>();
        try (Connection c = connect(); ResultSet rs = c.createStatement().executeQuery("SELECT rkey, id FROM recipients")) {
            while (rs.next()) out.put(rs.getString(1), rs.getLong(2));
        }
        return out;
    }

    private Map<String, String> statuses() throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = connect(); ResultSet rs = c.createStatement().executeQuery("SELECT address, status FROM addresses")) {
            while (rs.next()) out.put(rs.getString(1), rs.getString(2));
        }
        return out;
    }

    private Map<String, Long> attemptsByKey() throws Exception {
        Map<String, Long> out = new TreeMap<>();
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("SELECT r.rkey, COUNT(a.id) FROM recipients r"
                + " LEFT JOIN attempts a ON a.recipient_id = r.id GROUP BY r.rkey"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.put(rs.getString(1), rs.getLong(2));
        }
        return out;
    }
}
