package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.smtp.Step;
import io.mailroom.testing.JobDir;
import io.mailroom.testing.MutableClock;
import io.mailroom.testing.PostfixServer;
import io.mailroom.testing.StoredReplies;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real jobs through a real Postfix (installed and started by the test setup), read back from its maildir. */
class PostfixTest {
    static PostfixServer postfix;

    @TempDir
    Path dir;
    String db;

    @BeforeAll
    static void start() throws Exception {
        postfix = PostfixServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (postfix != null) postfix.close();
    }

    @BeforeEach
    void freshDatabase() {
        db = "jdbc:h2:" + dir.resolve("db").toAbsolutePath();
    }

    private JobDir job(String name, int port, String... locals) throws Exception {
        StringBuilder csv = new StringBuilder("email,first_name,n\n");
        for (int i = 0; i < locals.length; i++) csv.append(locals[i]).append("@example.com,").append(locals[i]).append(',').append(i).append('\n');
        return new JobDir(dir.resolve(name)).set("name", name).csv(csv.toString()).smtp("127.0.0.1", port, "none");
    }

    private Cli.Result mailroom(String... args) {
        return Cli.run(Map.of(), Cli.withDb(db, args));
    }

    private Map<String, Long> deliveredCounts(String prefix, int atLeast) throws Exception {
        return postfix.awaitDelivered(atLeast).stream().map(PostfixServer.Delivered::to).filter(t -> t.startsWith(prefix))
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    @Test
    void pipelinedJobRecordsEveryRecipientsOwnReplyAndDeliversTheAcceptedOnesOnce() throws Exception {
        int before = postfix.delivered().size();
        Path job = job("pipe", postfix.port(), "p-ok1", "reject-p", "busy-p", "p-ok2", "later-p", "p-ok3").write();
        Cli.Result run = mailroom("run", job.toString(), "--verbose");
        assertEquals(75, run.exit(), run.all());

        List<String> transcript = run.err().lines().filter(l -> l.contains("] C: ") || l.contains("] S: ")).map(l -> l.replaceFirst("^\\[[^]]*] ", "")).toList();
        int mail = transcript.indexOf(transcript.stream().filter(l -> l.startsWith("C: MAIL FROM:<team@example.com>")).findFirst().orElseThrow());
        assertEquals(List.of("C: RCPT TO:<p-ok1@example.com>", "C: DATA", "S: 250 2.1.0 Ok"), transcript.subList(mail + 1, mail + 4),
                "MAIL, RCPT and DATA leave together before any reply is read");

        String json = mailroom("report", "pipe", "--format", "json").out();
        assertTrue(json.contains("\"key\": \"reject-p@example.com\", \"to\": [\"reject-p@example.com\"], \"status\": \"failed\", \"attempts\": 1,"
                + " \"reply\": {\"code\": 550, \"enhanced\": \"5.1.1\""), json);
        assertTrue(json.contains("\"key\": \"busy-p@example.com\", \"to\": [\"busy-p@example.com\"], \"status\": \"deferred\", \"attempts\": 1,"
                + " \"reply\": {\"code\": 450, \"enhanced\": \"4.2.0\""), json);
        assertTrue(json.contains("\"key\": \"later-p@example.com\", \"to\": [\"later-p@example.com\"], \"status\": \"deferred\", \"attempts\": 1,"
                + " \"reply\": {\"code\": 451, \"enhanced\": \"4.3.0\""), json);
        assertTrue(json.contains("\"counts\": {\"pending\": 0, \"deferred\": 2, \"sent\": 3, \"failed\": 1"), json);

        assertEquals(Map.of("p-ok1@example.com", 1L, "p-ok2@example.com", 1L, "p-ok3@example.com", 1L), deliveredCounts("p-", before + 3), postfix.log());
    }

    @Test
    void aRefusedCcIsFailedWhileTheOthersAreSentAndTheRowIsPartial() throws Exception {
        int before = postfix.delivered().size();
        JobDir job = job("cc", postfix.port(), "cc-ann").file("message.ftl",
                "From: team@example.com\nTo: ${email}\nCc: reject-cc@example.com, cc-copy@example.com\nSubject: s\n\nbody\n");
        Cli.Result run = mailroom("run", job.write().toString());
        assertEquals(1, run.exit(), "finished with problems: the refused Cc is failed, " + run.all());
        assertTrue(run.out().contains("partial 1"), run.out());
        assertEquals(Map.of("cc-ann@example.com", 1L, "cc-copy@example.com", 1L), deliveredCounts("cc-", before + 2), postfix.log());
        String json = mailroom("report", "cc", "--format", "json").out();
        assertTrue(json.contains("{\"address\": \"reject-cc@example.com\", \"kind\": \"cc\", \"status\": \"failed\", \"attempts\": 1,"
                + " \"reply\": {\"code\": 550, \"enhanced\": \"5.1.1\"") && json.contains("\"status\": \"partial\""), json);
        try (Connection c = DriverManager.getConnection(db, "", "")) {
            assertEquals(List.of("RCPT cc-ann@example.com 250", "RCPT reject-cc@example.com 550", "RCPT cc-copy@example.com 250"),
                    StoredReplies.all(c).stream().filter(e -> e.step() == Step.RCPT).map(e -> e.step() + " " + e.argument() + " " + e.reply().code())
                            .toList());
        }
    }

    @Test
    void aCcPostfixDefersIsTriedAloneAfterItsWaitWhileTheToKeepsItsOneCopy() throws Exception {
        int before = postfix.delivered().size();
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
        JobDir job = job("later", postfix.port(), "l-ann").file("message.ftl",
                "From: team@example.com\nTo: ${email}\nCc: later-cc@example.com\nSubject: s\n\nbody\n");
        Cli.Result run = Cli.run(Map.of(), clock, d -> { }, Cli.withDb(db, "run", job.write().toString()));
        assertEquals(75, run.exit(), run.all());
        assertEquals(Map.of("l-ann@example.com", 1L), deliveredCounts("l-", before + 1), postfix.log());

        clock.advance(Duration.ofMinutes(2));
        Cli.Result retry = Cli.run(Map.of(), clock, d -> { }, Cli.withDb(db, "resume", "later", "--verbose"));
        assertEquals(75, retry.exit(), retry.all());
        List<String> rcpts = retry.err().lines().filter(l -> l.contains("C: RCPT TO:")).map(l -> l.replaceFirst("^.*C: ", "")).toList();
        assertEquals(List.of("RCPT TO:<later-cc@example.com>"), rcpts, "only the address still due is in the retry's envelope");
        String json = mailroom("report", "later", "--format", "json").out();
        assertTrue(json.contains("{\"address\": \"l-ann@example.com\", \"kind\": \"to\", \"status\": \"sent\", \"attempts\": 1,")
                && json.contains("{\"address\": \"later-cc@example.com\", \"kind\": \"cc\", \"status\": \"deferred\", \"attempts\": 2,"
                + " \"reply\": {\"code\": 451, \"enhanced\": \"4.3.0\""), json);
        assertEquals(1, postfix.delivered().stream().filter(d -> d.to().equals("l-ann@example.com")).count(), "no second copy for the To");
    }

    @Test
    void starttlsWithPostfixCertificateTrustedThroughTheJob() throws Exception {
        int before = postfix.delivered().size();
        Path job = job("tls", postfix.port(), "tls-ann", "tls-bob").smtp("localhost", postfix.port(), "starttls")
                .set("smtp.trust", postfix.certificate().toString()).write();
        Cli.Result run = mailroom("run", job.toString(), "--verbose");
        assertEquals(0, run.exit(), run.all());
        assertTrue(run.err().contains("TLS established"), run.err());
        assertEquals(2, deliveredCounts("tls-", before + 2).size(), postfix.log());
        assertTrue(postfix.delivered().stream().filter(d -> d.to().startsWith("tls-")).allMatch(d -> d.message().contains("with ESMTPS")),
                "Postfix received it over TLS");
    }

    @Test
    void messageLargerThanTheServersSizeIsFailedWithoutSendingIt() throws Exception {
        JobDir job = job("size", postfix.port(), "size-small", "size-big")
                .file("message.ftl", "From: team@example.com\nTo: ${email}\nSubject: s\n<#if first_name == \"size-big\">Attachment: big.bin</#if>\n\nbody\n")
                .bytes("big.bin", new byte[300_000]);
        Cli.Result run = mailroom("run", job.write().toString(), "--verbose");
        assertEquals(1, run.exit(), run.all());
        String json = mailroom("report", "size", "--format", "json").out();
        assertTrue(json.contains("\"key\": \"size-big@example.com\", \"to\": [\"size-big@example.com\"], \"status\": \"failed\", \"attempts\": 0,"
                + " \"reply\": null"), json);
        assertTrue(json.contains("(SIZE)"), json);
        assertFalse(run.err().contains("RCPT TO:<size-big@example.com>"), "nothing of it went on the wire");
    }

    @Test
    void maxMessagesPerSessionOpensAFreshSessionAfterN() throws Exception {
        Path job = job("max", postfix.port(), "max1", "max2", "max3", "max4", "max5").set("smtp.max-messages-per-session", "2").write();
        Cli.Result run = mailroom("run", job.toString());
        assertEquals(0, run.exit(), run.all());
        assertTrue(run.out().contains("over 3 SMTP session(s)"), run.out());
        assertEquals(List.of("2", "2", "1"), query("SELECT COUNT(*) FROM attempts GROUP BY connection_id ORDER BY connection_id"));
    }

    @Test
    void internationalizedAddressesGoThroughAServerOfferingSmtpUtf8() throws Exception {
        int before = postfix.delivered().size();
        Path job = job("utf8", postfix.port(), "utf8-jürgen", "utf8-ann").write();
        Cli.Result run = mailroom("run", job.toString(), "--verbose");
        assertEquals(0, run.exit(), run.all());
        assertTrue(run.err().contains("C: MAIL FROM:<team@example.com> BODY=8BITMIME SIZE="), run.err());
        assertTrue(run.err().contains("C: MAIL FROM:<team@example.com> SMTPUTF8 BODY=8BITMIME"), "SMTPUTF8 only for the message that needs it");
        assertEquals(Map.of("utf8-jürgen@example.com", 1L, "utf8-ann@example.com", 1L), deliveredCounts("utf8-", before + 2), postfix.log());
    }

    @Test
    void internationalizedAddressIsSkippedWithAReasonWhereTheServerLacksSmtpUtf8() throws Exception {
        try (io.mailroom.testing.ScriptedSmtpServer plain = new io.mailroom.testing.ScriptedSmtpServer()) {
            Cli.Result run = mailroom("run", job("no-utf8", plain.port(), "jürgen", "ann").write().toString());
            assertEquals(1, run.exit(), run.all());
            assertEquals(List.of("ann@example.com"), plain.received().stream().map(r -> r.recipients().get(0)).toList());
            String json = mailroom("report", "no-utf8", "--format", "json").out();
            assertTrue(json.contains("\"key\": \"jürgen@example.com\"") && json.contains("needs SMTPUTF8, and the server does not offer it"), json);
            String jurgen = json.substring(json.indexOf("\"key\": \"jürgen@example.com\""));
            jurgen = jurgen.substring(0, jurgen.indexOf('}', jurgen.indexOf("\"addresses\"")) + 1);
            assertTrue(jurgen.contains("\"status\": \"skipped\"") && !jurgen.contains("pending"), "a skipped row has no addresses left pending: " + jurgen);
        }
    }

    @Test
    void postfixsMessageRateLimitSlowsTheRunDownAndTheReportSaysWhy() throws Exception {
        Path job = job("rate", postfix.rateLimitedPort(), "rate1", "rate2", "rate3", "rate4", "rate5").write();
        Cli.Result run = mailroom("run", job.toString());
        assertEquals(75, run.exit(), run.all());
        assertTrue(run.err().contains("rate: the server asked to slow down (450 4.7.1: the server limits how fast this sender may send): no message"
                + " before "), run.err());
        String json = mailroom("report", "rate", "--format", "json").out();
        assertTrue(json.contains("\"sent\": 3") && json.contains("\"deferred\": 2"), json);
        assertTrue(json.contains("\"throttles\": [{\"at\": ") && json.contains("\"reply\": {\"code\": 450, \"enhanced\": \"4.7.1\""), json);
        assertTrue(json.contains("\"meaning\": \"the server limits how fast this sender may send\""), json);
    }

    @Test
    void theBounceReportPostfixWritesForAnAddressItAcceptedMakesThatAddressBounced() throws Exception {
        try (io.mailroom.testing.GreenMailServer mailbox = io.mailroom.testing.GreenMailServer.withMailboxes()) {
            Path job = job("dsn", postfix.port(), "dsn-ann", "bob").set("envelope.verp", "true")
                    .set("bounces.protocol", "pop3").set("bounces.host", "127.0.0.1").set("bounces.port", String.valueOf(mailbox.pop3Port()))
                    .set("bounces.security", "none").set("bounces.allow-plaintext-auth", "true")
                    .set("bounces.username", io.mailroom.testing.GreenMailServer.USER).set("bounces.password.env", "BOUNCE_PW").write();
            Map<String, String> env = Map.of("BOUNCE_PW", io.mailroom.testing.GreenMailServer.PASSWORD);
            Cli.Result run = Cli.run(env, Cli.withDb(db, "run", job.toString()));
            assertEquals(0, run.exit(), "Postfix accepted both: " + run.all());

            // bob's copy, and the report Postfix itself wrote for dsn-ann, sent back to the VERP return path
            // Postfix delivers in its own time, other tests' mail too: wait for the report itself
            java.util.Optional<PostfixServer.Delivered> found = java.util.Optional.empty();
            for (long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30); found.isEmpty() && System.nanoTime() < deadline;) {
                found = postfix.delivered().stream().filter(d -> d.to().startsWith("team+")).findFirst();
                if (found.isEmpty()) Thread.sleep(50);
            }
            // and bob's copy, so that no delivery of this test's lands in another's count
            for (long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
                 postfix.delivered().stream().noneMatch(d -> d.to().equals("bob@example.com")) && System.nanoTime() < deadline;) {
                Thread.sleep(50);
            }
            assertTrue(found.isPresent(), "no bounce from Postfix: " + postfix.log());
            PostfixServer.Delivered report = found.get();
            assertTrue(report.message().contains("multipart/report"), report.message());
            mailbox.greenMail().getUserManager().getUser(io.mailroom.testing.GreenMailServer.USER).deliver(new jakarta.mail.internet.MimeMessage(null,
                    new java.io.ByteArrayInputStream(report.message().replace("\n", "\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8))));

            Cli.Result read = Cli.run(env, Cli.withDb(db, "bounces", "dsn"));

            assertEquals(1, read.exit(), read.all());
            assertTrue(read.out().contains("dsn: dsn-ann@example.com bounced: 5.1.1"), read.out());
            assertTrue(read.out().contains("sent 1, failed 0, unknown 0, skipped 0, partial 0, bounced 1"), read.out());
        }
    }

    @Test
    void postfixsReportsEchoEachAttemptsEnvidAndOrcptAndNotifyNeverAsksForNone() throws Exception {
        Path job = job("dsn-params", postfix.port(), "dsn-p", "okay-p", "dsn-jürgen-p").set("envelope.from", "reports-p@example.com")
                .set("dsn.notify", "success,failure").set("dsn.ret", "hdrs").write();
        Path never = job("dsn-never", postfix.port(), "dsn-n").set("envelope.from", "reports-n@example.com").set("dsn.notify", "never").write();
        Cli.Result run = mailroom("run", job.toString(), "--verbose");
        Cli.Result quiet = mailroom("run", never.toString(), "--verbose");
        assertEquals(0, run.exit(), "Postfix accepted them all; it bounces dsn-* itself afterwards: " + run.all());
        assertEquals(0, quiet.exit(), quiet.all());

        assertTrue(run.err().contains("C: RCPT TO:<dsn-p@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;dsn-p@example.com"), run.err());
        Map<String, String> envids = new java.util.HashMap<>();
        for (String key : List.of("dsn-p", "okay-p", "dsn-jürgen-p")) {
            envids.put(key, query("SELECT a.envid FROM attempts a JOIN recipients r ON r.id = a.recipient_id WHERE r.rkey = '" + key
                    + "@example.com'").get(0));
            assertTrue(run.err().contains(" RET=HDRS ENVID=" + envids.get(key)), "MAIL FROM carries the ENVID the store keeps: " + run.err());
        }
        List<PostfixServer.Delivered> reports = awaitDelivered(d -> d.to().equals("reports-p@example.com"), 3);
        String failed = reports.stream().filter(d -> d.message().contains("Original-Envelope-Id: " + envids.get("dsn-p"))).findFirst()
                .map(PostfixServer.Delivered::message).orElseThrow(() -> new AssertionError(envids + " in none of " + reports));
        assertTrue(failed.contains("Original-Recipient: rfc822;dsn-p@example.com") && failed.contains("Action: failed"), failed);
        assertTrue(failed.contains("text/rfc822-headers"), "RET=HDRS: the headers come back, not the message: " + failed);
        String delivered = reports.stream().filter(d -> d.message().contains("Original-Envelope-Id: " + envids.get("okay-p"))).findFirst()
                .map(PostfixServer.Delivered::message).orElseThrow(() -> new AssertionError(envids + " in none of " + reports));
        assertTrue(delivered.contains("Original-Recipient: rfc822;okay-p@example.com") && delivered.contains("Action: delivered"), delivered);
        String utf8 = reports.stream().filter(d -> d.message().contains("Original-Envelope-Id: " + envids.get("dsn-jürgen-p"))).findFirst()
                .map(PostfixServer.Delivered::message).orElseThrow(() -> new AssertionError(envids + " in none of " + reports));
        assertTrue(utf8.contains("Original-Recipient: utf-8;dsn-jürgen-p@example.com"), utf8);

        // NOTIFY=NEVER: once Postfix is done with the message (it logs "removed"), it has written no report for it
        String queued = quiet.err().lines().filter(l -> l.contains("S: 250 2.0.0 Ok: queued as ")).findFirst().orElseThrow()
                .replaceFirst(".*queued as ", "").strip();
        for (long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
             !postfix.log().contains(queued + ": removed") && System.nanoTime() < deadline;) {
            Thread.sleep(50);
        }
        assertTrue(postfix.log().contains(queued + ": removed") && postfix.log().matches("(?s).*" + queued + ": to=<dsn-n@example.com>.*status=bounced.*"),
                postfix.log());
        assertFalse(postfix.log().contains(queued + ": sender non-delivery notification"), postfix.log());
        assertTrue(postfix.delivered().stream().noneMatch(d -> d.to().equals("reports-n@example.com")));
    }

    /** Waits (bounded) until {@code count} copies that {@code which} picks are delivered. */
    private static List<PostfixServer.Delivered> awaitDelivered(java.util.function.Predicate<PostfixServer.Delivered> which, int count) throws Exception {
        List<PostfixServer.Delivered> got = List.of();
        for (long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30); System.nanoTime() < deadline; Thread.sleep(50)) {
            got = postfix.delivered().stream().filter(which).toList();
            if (got.size() >= count) break;
        }
        return got;
    }

    private List<String> query(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(db, "", ""); ResultSet rs = c.createStatement().executeQuery(sql)) {
            List<String> rows = new java.util.ArrayList<>();
            while (rs.next()) rows.add(rs.getString(1));
            return rows;
        }
    }
}
