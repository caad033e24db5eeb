package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.smtp.Exchange;
import io.mailroom.store.ReplyLog;
import io.mailroom.testing.GreenMailServer;
import io.mailroom.testing.JobDir;
import io.mailroom.testing.RecordingProxy;
import io.mailroom.testing.ScriptedSmtpServer;
import io.mailroom.testing.StoredReplies;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole jobs through the command line against real servers: GreenMail with AUTH, over implicit TLS and plaintext. */
class EndToEndTest {
    private static final Map<String, String> ENV = Map.of("MAILROOM_SMTP_PASSWORD", GreenMailServer.PASSWORD);
    private static final Path SAMPLE = Path.of("samples/welcome").toAbsolutePath();
    private static final Path TEMPLATES = Path.of("templates").toAbsolutePath();

    static GreenMailServer server;

    @TempDir
    Path dir;
    String db;

    @BeforeAll
    static void startServer() throws Exception {
        server = new GreenMailServer();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void freshDatabaseAndMailboxes() throws Exception {
        server.purge();
        db = "jdbc:h2:" + dir.resolve("db").toAbsolutePath();
    }

    /** The repository's sample job, pointed at GreenMail over implicit TLS, its certificate trusted via smtp.trust. */
    private Path sampleJobOverTls() throws Exception {
        return new JobDir(dir.resolve("job"))
                .set("name", "welcome-2026-11")
                .set("recipients", SAMPLE.resolve("recipients.csv").toString())
                .set("template", TEMPLATES.resolve("welcome.ftl").toString())
                .set("template.html", TEMPLATES.resolve("welcome.html.ftl").toString())
                .smtp("localhost", server.smtpsPort(), "tls")
                .set("smtp.trust", server.trustedPem().toString())
                .set("smtp.username", GreenMailServer.USER)
                .set("smtp.password.env", "MAILROOM_SMTP_PASSWORD")
                .write();
    }

    private JobDir plainJob(int port, int rows) throws Exception {
        return new JobDir(dir.resolve("plain")).numberedRecipients(rows).smtp("127.0.0.1", port, "none");
    }

    private Cli.Result mailroom(String... args) {
        return Cli.run(ENV, Cli.withDb(db, args));
    }

    @Test
    void sampleJobArrivesCompleteOverImplicitTls() throws Exception {
        Cli.Result run = mailroom("run", sampleJobOverTls().toString());
        assertEquals(0, run.exit(), run.all());
        assertTrue(run.out().contains("sent 4"), run.out());

        List<MimeMessage> got = server.received();
        assertEquals(5, got.size(), "four To mailboxes plus one Cc");
        MimeMessage jose = got.stream().filter(m -> to(m).equals("jose@example.com")).findFirst().orElseThrow();
        assertEquals("Welcome, José!", jose.getSubject());
        assertEquals("José Núñez", ((InternetAddress) jose.getRecipients(Message.RecipientType.TO)[0]).getPersonal());
        assertEquals("mentor@example.com", ((InternetAddress) jose.getRecipients(Message.RecipientType.CC)[0]).getAddress());
        assertEquals("Team Example", ((InternetAddress) jose.getFrom()[0]).getPersonal());
        assertTrue(jose.getMessageID().endsWith("@example.com>"));
        assertTrue(jose.getSentDate() != null);

        Multipart mixed = (Multipart) jose.getContent();
        Multipart alternative = (Multipart) mixed.getBodyPart(0).getContent();
        assertTrue(((String) alternative.getBodyPart(0).getContent()).contains("Hello José,"));
        assertTrue(alternative.getBodyPart(1).isMimeType("text/html"));
        assertTrue(((String) alternative.getBodyPart(1).getContent()).contains("<code>1002</code>"));
        Part attachment = mixed.getBodyPart(1);
        assertEquals("house-rules.txt", attachment.getFileName());
        assertArrayEquals(Files.readAllBytes(TEMPLATES.resolve("welcome/house-rules.txt")), attachment.getInputStream().readAllBytes());

        MimeMessage wang = got.stream().filter(m -> to(m).equals("wang.fang@example.com")).findFirst().orElseThrow();
        assertEquals("Welcome, 芳!", wang.getSubject());
        assertEquals("芳 王", ((InternetAddress) wang.getRecipients(Message.RecipientType.TO)[0]).getPersonal());

        String json = mailroom("report", "welcome-2026-11", "--format", "json").out();
        assertTrue(json.contains("\"sent\": 4") && json.contains("\"finished\": true"), json);
        assertEquals(4 + 5, count(json, "\"status\": \"sent\""), "four rows, and their five addresses (José's has a Cc): " + json);
        assertEquals(4 + 5, count(json, "\"reply\": {\"code\": 250"), json);
        assertTrue(json.contains("{\"row\": 5, \"key\": \"zoe@example.com\", \"to\": [\"zoe@example.com\"]"), json);
    }

    @Test
    void secondIdenticalRunSendsNothingAndANewRowIsSentAlone() throws Exception {
        Path job = sampleJobOverTls();
        assertEquals(0, mailroom("run", job.toString()).exit());
        Cli.Result again = mailroom("run", job.toString());
        assertEquals(0, again.exit(), again.all());
        assertTrue(again.out().contains("nothing due: sent nothing"), again.out());
        assertEquals(5, server.received().size());

        Path csv = dir.resolve("grown.csv");
        Files.writeString(csv, Files.readString(SAMPLE.resolve("recipients.csv")) + "new@example.com,Nia,New,1005,\n");
        Files.writeString(job, Files.readString(job).replaceAll("recipients=.*", "recipients=" + csv.toString().replace("\\", "\\\\")));
        Cli.Result grown = mailroom("run", job.toString());
        assertEquals(0, grown.exit(), grown.all());
        assertTrue(grown.out().contains("1 new, 4 already in the job"), grown.out());
        assertEquals(6, server.received().size());
        assertEquals("new@example.com", to(server.received().get(5)));
    }

    @Test
    void sessionIsOpenedAndAuthenticatedOnceAndResetBetweenMessages() throws Exception {
        try (RecordingProxy proxy = new RecordingProxy(server.smtpPort())) {
            Path job = plainJob(proxy.port(), 5).set("smtp.username", GreenMailServer.USER).set("smtp.password.env", "MAILROOM_SMTP_PASSWORD")
                    .set("smtp.allow-plaintext-auth", "true").write();
            Cli.Result run = mailroom("run", job.toString());
            assertEquals(0, run.exit(), run.all());

            assertEquals(1, proxy.connections());
            List<String> commands = proxy.clientLines().stream().filter(l -> l.matches("^(EHLO|HELO|AUTH|MAIL|RCPT|DATA|RSET|QUIT).*")).toList();
            assertEquals(1, commands.stream().filter(l -> l.startsWith("EHLO")).count(), commands.toString());
            assertEquals(1, commands.stream().filter(l -> l.startsWith("AUTH")).count(), commands.toString());
            List<String> verbs = commands.stream().map(l -> l.split("[ :]")[0]).toList();
            List<String> transaction = List.of("MAIL", "RCPT", "DATA");
            List<String> expected = new java.util.ArrayList<>(List.of("EHLO", "AUTH"));
            for (int i = 0; i < 5; i++) {
                if (i > 0) expected.add("RSET");
                expected.addAll(transaction);
            }
            expected.add("QUIT");
            assertEquals(expected, verbs);
            assertEquals(5, server.received().size());
        }
    }

    @Test
    void plaintextAuthIsRefusedUnlessTheJobAllowsIt() throws Exception {
        JobDir job = plainJob(server.smtpPort(), 2).set("smtp.username", GreenMailServer.USER).set("smtp.password.env", "MAILROOM_SMTP_PASSWORD");
        Cli.Result refused = mailroom("run", job.write().toString());
        assertEquals(78, refused.exit(), refused.all());
        assertTrue(refused.err().contains("smtp.allow-plaintext-auth"), refused.err());
        assertEquals(0, server.received().size());

        Cli.Result allowed = mailroom("run", job.set("smtp.allow-plaintext-auth", "true").write().toString());
        assertEquals(0, allowed.exit(), allowed.all());
        assertEquals(2, server.received().size());
    }

    @Test
    void rejectedCredentialsExit77AndSendNothing() throws Exception {
        Path job = plainJob(server.smtpPort(), 2).set("smtp.username", GreenMailServer.USER).set("smtp.password.env", "MAILROOM_SMTP_PASSWORD")
                .set("smtp.allow-plaintext-auth", "true").write();
        Cli.Result run = Cli.run(Map.of("MAILROOM_SMTP_PASSWORD", "wrong-password"), Cli.withDb(db, "run", job.toString()));
        assertEquals(77, run.exit(), run.all());
        assertFalse(run.all().contains("wrong-password"));
        assertEquals(0, server.received().size());
        assertTrue(mailroom("status", "test-job").out().contains("pending 2"));
    }

    @Test
    void untrustedCertificateIsRefused() throws Exception {
        Path job = Path.of(sampleJobOverTls().toString());
        Files.writeString(job, Files.readString(job).replaceAll("smtp.trust=.*\n", ""));
        Cli.Result run = mailroom("run", job.toString());
        assertEquals(69, run.exit(), run.all());
        assertTrue(run.err().contains("TLS"), run.err());
        assertEquals(0, server.received().size());
    }

    @Test
    void starttlsUpgradesVerifiesTheCertificateAndAuthenticatesOnlyAfterTheHandshake() throws Exception {
        try (ScriptedSmtpServer scripted = new ScriptedSmtpServer().startTls(server.certificate(), false)) {
            Path job = plainJob(scripted.port(), 2).smtp("localhost", scripted.port(), "starttls").set("smtp.trust", server.trustedPem().toString())
                    .set("smtp.username", GreenMailServer.USER).set("smtp.password.env", "MAILROOM_SMTP_PASSWORD").write();
            Cli.Result run = mailroom("run", job.toString());
            assertEquals(0, run.exit(), run.all());
            assertEquals(2, scripted.received().size());
            List<String> verbs = scripted.clientLines().stream().map(l -> l.split(" ")[0]).toList();
            assertEquals(List.of("EHLO", "STARTTLS", "EHLO", "AUTH"), verbs.subList(0, 4));
        }
    }

    @Test
    void replyForgedAheadOfTheTlsHandshakeIsNeverReadAsAReply() throws Exception {
        try (ScriptedSmtpServer scripted = new ScriptedSmtpServer().startTls(server.certificate(), true)) {
            Path job = plainJob(scripted.port(), 2).smtp("localhost", scripted.port(), "starttls").set("smtp.trust", server.trustedPem().toString())
                    .write();
            Cli.Result run = mailroom("run", job.toString(), "--verbose");
            assertEquals(0, run.exit(), run.all());
            assertEquals(2, scripted.received().size());
            assertFalse(run.err().contains("S: 250 2.0.0 forged"), run.err());
        }
    }

    @Test
    void authLoginIsUsedWhenTheServerOffersOnlyLogin() throws Exception {
        try (RecordingProxy proxy = new RecordingProxy(server.smtpPort(), s -> s.replaceAll("AUTH [A-Z0-9 -]+", "AUTH LOGIN"))) {
            Path job = plainJob(proxy.port(), 2).set("smtp.username", GreenMailServer.USER).set("smtp.password.env", "MAILROOM_SMTP_PASSWORD")
                    .set("smtp.allow-plaintext-auth", "true").write();
            Cli.Result run = mailroom("run", job.toString(), "--verbose");
            assertEquals(0, run.exit(), run.all());
            assertEquals(2, server.received().size());
            assertTrue(proxy.clientLines().contains("AUTH LOGIN"), proxy.clientLines().toString());
            assertFalse(run.err().contains(Base64.getEncoder().encodeToString(GreenMailServer.PASSWORD.getBytes(StandardCharsets.UTF_8))), run.err());
        }
    }

    @Test
    void xoauth2SendsTheTokenFromTheJobsPasswordSourceAndARefusedTokenExits77() throws Exception {
        JobDir job = plainJob(server.smtpPort(), 2).set("smtp.username", GreenMailServer.USER).set("smtp.auth", "xoauth2")
                .set("smtp.password.env", "MAILROOM_SMTP_PASSWORD").set("smtp.allow-plaintext-auth", "true");
        Cli.Result refused = Cli.run(Map.of("MAILROOM_SMTP_PASSWORD", "expired-token"), Cli.withDb(db, "run", job.write().toString(), "--verbose"));
        assertEquals(77, refused.exit(), refused.all());
        assertTrue(refused.err().contains("C: AUTH XOAUTH2 ****"), refused.err());
        assertFalse(refused.all().contains("expired-token"));

        Cli.Result run = mailroom("run", job.write().toString());
        assertEquals(0, run.exit(), run.all());
        assertEquals(2, server.received().size());
    }

    @Test
    void transientRecipientReplyDefersTheRecipientAndLeavesTheJobUnfinished() throws Exception {
        try (ScriptedSmtpServer scripted = new ScriptedSmtpServer()) {
            scripted.rejectRecipient("user1@example.com", "450 4.2.0 Mailbox busy, try later");
            Cli.Result run = mailroom("run", plainJob(scripted.port(), 2).write().toString());
            assertEquals(75, run.exit(), run.all());
            assertEquals(1, scripted.received().size());
            String json = mailroom("report", "test-job", "--format", "json").out();
            assertTrue(json.contains("\"status\": \"deferred\", \"attempts\": 1, \"reply\": {\"code\": 450, \"enhanced\": \"4.2.0\""), json);
            assertEquals(75, mailroom("status", "test-job").exit());
        }
    }

    @Test
    void changedTemplateIsRefusedUnlessAcceptedThenGoesToEveryoneNotSentYet() throws Exception {
        try (ScriptedSmtpServer scripted = new ScriptedSmtpServer()) {
            JobDir job = plainJob(scripted.port(), 2);
            assertEquals(0, mailroom("run", job.write().toString()).exit());

            job.file("message.ftl", JobDir.TEMPLATE.replace("Subject: Hello", "Subject: Hi again"))
                    .csv("email,first_name,n\nuser1@example.com,User1,1\nuser2@example.com,User2,2\nuser3@example.com,User3,3\n");
            Cli.Result refused = mailroom("run", job.write().toString());
            assertEquals(65, refused.exit(), refused.all());
            assertTrue(refused.err().contains("changed since job test-job was created") && refused.err().contains("--accept-template-change"),
                    refused.err());
            assertEquals(2, scripted.received().size());

            Cli.Result accepted = mailroom("run", job.write().toString(), "--accept-template-change");
            assertEquals(0, accepted.exit(), accepted.all());
            assertEquals(3, scripted.received().size());
            assertTrue(scripted.received().get(2).content().contains("Subject: Hi again User3"), scripted.received().get(2).content());
        }
    }

    @Test
    void deferralPastTheJobsRetryLimitIsFailedWithTheLastReply() throws Exception {
        try (ScriptedSmtpServer scripted = new ScriptedSmtpServer()) {
            scripted.rejectRecipient("user1@example.com", "450 4.2.0 Mailbox busy, try later");
            Cli.Result run = mailroom("run", plainJob(scripted.port(), 2).set("retry.max-attempts", "1").write().toString());
            assertEquals(1, run.exit(), run.all());
            String json = mailroom("report", "test-job", "--format", "json").out();
            assertTrue(json.contains("\"status\": \"failed\", \"attempts\": 1, \"reply\": {\"code\": 450, \"enhanced\": \"4.2.0\""), json);
            assertTrue(json.contains("gave up after 1 attempt(s)"), json);
        }
    }

    @Test
    void rejectedRecipientIsFailedWithItsReplyAndTheOthersAreSent() throws Exception {
        try (ScriptedSmtpServer scripted = new ScriptedSmtpServer()) {
            scripted.rejectRecipient("user2@example.com", "550 5.1.1 <user2@example.com>: Recipient address rejected: User unknown");
            Cli.Result run = mailroom("run", plainJob(scripted.port(), 3).write().toString());
            assertEquals(1, run.exit(), run.all());
            assertEquals(2, scripted.received().size());

            String json = mailroom("report", "test-job", "--format", "json").out();
            assertTrue(json.contains("\"key\": \"user2@example.com\", \"to\": [\"user2@example.com\"], \"status\": \"failed\", \"attempts\": 1,"
                    + " \"reply\": {\"code\": 550, \"enhanced\": \"5.1.1\", \"text\": \"<user2@example.com>: Recipient address rejected: User unknown\"}"), json);
            assertTrue(json.contains("\"status\": \"sent\", \"attempts\": 1, \"reply\": {\"code\": 250, \"enhanced\": \"2.0.0\", \"text\": \"Ok: queued as Q1\"}"), json);
            assertTrue(json.contains("\"counts\": {\"pending\": 0, \"deferred\": 0, \"sent\": 2, \"failed\": 1"), json);
        }
    }

    @Test
    void reportWithoutFormatTakesItFromTheOutputFilesExtension() throws Exception {
        try (ScriptedSmtpServer scripted = new ScriptedSmtpServer()) {
            assertEquals(0, mailroom("run", plainJob(scripted.port(), 1).write().toString()).exit());
        }
        for (String name : List.of("r.html", "r.JSON", "r.csv", "r.txt")) {
            assertEquals(0, mailroom("report", "test-job", "--output", dir.resolve(name).toString()).exit(), name);
        }
        assertTrue(Files.readString(dir.resolve("r.html")).contains("<html"));
        assertTrue(Files.readString(dir.resolve("r.JSON")).startsWith("{"));
        assertEquals(mailroom("report", "test-job", "--format", "csv").out(), Files.readString(dir.resolve("r.csv")));
        assertEquals(mailroom("report", "test-job").out(), Files.readString(dir.resolve("r.txt")), "anything else is text");
        Cli.Result nowhere = mailroom("report", "test-job", "--output", dir.resolve("no-such-folder").resolve("r.html").toString());
        assertEquals(64, nowhere.exit(), nowhere.all());
        assertTrue(nowhere.err().contains("--output: the folder " + dir.resolve("no-such-folder").toAbsolutePath() + " does not exist"), nowhere.err());
    }

    @Test
    void reportsInCsvAndHtmlCarryTheSameFactsAndEscapeServerText() throws Exception {
        try (ScriptedSmtpServer scripted = new ScriptedSmtpServer()) {
            scripted.rejectRecipient("user2@example.com", "550 5.1.1 <user2@example.com>: Recipient address rejected");
            assertEquals(1, mailroom("run", plainJob(scripted.port(), 2).write().toString()).exit());
        }
        Path csvFile = dir.resolve("report.csv");
        assertEquals(0, mailroom("report", "test-job", "--format", "csv", "--output", csvFile.toString()).exit());
        try (var reader = new com.opencsv.CSVReaderBuilder(Files.newBufferedReader(csvFile))
                .withCSVParser(new com.opencsv.RFC4180ParserBuilder().build()).build()) {
            List<String[]> rows = reader.readAll();
            assertEquals(List.of("row", "key", "kind", "address", "status", "attempts", "reply_code", "reply_enhanced", "reply_text"),
                    List.of(rows.get(0)).subList(0, 9));
            assertEquals(List.of("3", "user2@example.com", "to", "user2@example.com", "failed", "1", "550", "5.1.1",
                    "<user2@example.com>: Recipient address rejected"), List.of(rows.get(2)).subList(0, 9));
        }
        String html = mailroom("report", "test-job", "--format", "html").out();
        assertTrue(html.contains("550 5.1.1 &lt;user2@example.com&gt;: Recipient address rejected"), html);
        assertFalse(html.contains("<user2@example.com>"), "server text is escaped");
        String text = mailroom("report", "test-job").out();
        assertTrue(text.contains("failed") && text.contains("550 5.1.1 <user2@example.com>"), text);
    }

    @Test
    void everyCommandReplyOfEveryAttemptIsStored() throws Exception {
        try (ScriptedSmtpServer scripted = new ScriptedSmtpServer()) {
            scripted.rejectRecipient("user1@example.com", "550 5.1.1 no such user");
            assertEquals(1, mailroom("run", plainJob(scripted.port(), 2).write().toString()).exit());
        }
        try (Connection c = DriverManager.getConnection(db, "", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT a.id, r.rkey, a.connection_id FROM attempts a JOIN recipients r ON r.id = a.recipient_id"
                     + " ORDER BY a.id")) {
            Map<Long, List<Exchange>> replies = StoredReplies.of(c, "TRUE");
            StringBuilder rows = new StringBuilder();
            while (rs.next()) {
                for (Exchange e : replies.get(rs.getLong(1))) rows.append(rs.getString(2)).append(' ').append(e.step()).append(' ')
                        .append(e.reply().code()).append(' ').append(e.reply().enhanced()).append(' ').append(rs.getString(3)).append('\n');
            }
            assertEquals("""
                    user1@example.com MAIL 250 2.1.0 1.1
                    user1@example.com RCPT 550 5.1.1 1.1
                    user2@example.com MAIL 250 2.1.0 1.1
                    user2@example.com RCPT 250 2.1.5 1.1
                    user2@example.com DATA 354 null 1.1
                    user2@example.com END_OF_DATA 250 2.0.0 1.1
                    """, rows.toString());
        }
    }

    @Test
    void anAttemptKeepsItsRepliesInItsOwnRowReadableAsOneLineEachAndWritesNoneToAttemptReplies() throws Exception {
        Path job = plainJob(server.smtpPort(), 2).set("smtp.username", GreenMailServer.USER).set("smtp.password.env", "MAILROOM_SMTP_PASSWORD")
                .set("smtp.allow-plaintext-auth", "true").write();
        assertEquals(0, mailroom("run", job.toString()).exit());
        try (Connection c = DriverManager.getConnection(db, "", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT r.rkey, a.replies FROM attempts a JOIN recipients r ON r.id = a.recipient_id"
                     + " ORDER BY a.id");
             ResultSet old = c.createStatement().executeQuery("SELECT COUNT(*) FROM attempt_replies")) {
            assertTrue(old.next());
            assertEquals(0, old.getInt(1), "attempt_replies keeps only what attempts stored before V9 wrote there");
            List<String> keys = new java.util.ArrayList<>();
            while (rs.next()) {
                String key = rs.getString(1);
                keys.add(key);
                String column = rs.getString(2);
                List<Exchange> replies = ReplyLog.decode(column).exchanges();
                assertEquals(List.of("MAIL " + GreenMailServer.USER + " 250", "RCPT " + key + " 250", "DATA null 354", "END_OF_DATA null 250"),
                        replies.stream().map(e -> e.step() + " " + e.argument() + " " + e.reply().code()).toList(), column);
                List<String> lines = column.lines().toList();
                assertEquals(4, lines.size(), column);
                assertTrue(lines.get(1).startsWith("RCPT <" + key + "> 250 ") && lines.get(2).startsWith("DATA - 354 "), column);
            }
            assertEquals(List.of("user1@example.com", "user2@example.com"), keys);
        }
        assertEquals(2, server.received().size());
    }

    @Test
    void resumeWorksFromTheDatabaseAloneAfterTheFilesAreGone() throws Exception {
        JobDir job = plainJob(server.smtpPort(), 3).set("smtp.username", GreenMailServer.USER).set("smtp.password.env", "MAILROOM_SMTP_PASSWORD")
                .set("smtp.allow-plaintext-auth", "true").set("template", "mail/message.ftl").file("mail/message.ftl", JobDir.TEMPLATE);
        Cli.Result first = mailroom("run", job.write().toString(), "--limit", "1");
        assertEquals(75, first.exit(), first.all());
        assertEquals(1, server.received().size());

        Files.delete(job.dir().resolve("recipients.csv"));
        Files.delete(job.dir().resolve("mail/message.ftl"));
        Files.delete(job.jobFile());
        Cli.Result resumed = mailroom("resume", "test-job");
        assertEquals(0, resumed.exit(), resumed.all());
        assertEquals(3, server.received().size());
        assertTrue(server.received().stream().anyMatch(m -> to(m).equals("user3@example.com")));
    }

    @Test
    void passwordNeverReachesTheDatabaseTheOutputOrTheTranscript() throws Exception {
        Path job = plainJob(server.smtpPort(), 2).set("smtp.username", GreenMailServer.USER).set("smtp.password.env", "MAILROOM_SMTP_PASSWORD")
                .set("smtp.allow-plaintext-auth", "true").write();
        Cli.Result run = mailroom("run", job.toString(), "--verbose");
        assertEquals(0, run.exit(), run.all());
        assertTrue(run.err().contains("AUTH PLAIN ****"), run.err());
        String plainToken = Base64.getEncoder().encodeToString(("\0" + GreenMailServer.USER + "\0" + GreenMailServer.PASSWORD).getBytes(StandardCharsets.UTF_8));
        String report = mailroom("report", "test-job", "--format", "json").out() + mailroom("status").out();
        for (String output : List.of(run.all(), report, dump(db))) {
            assertFalse(output.contains(GreenMailServer.PASSWORD));
            assertFalse(output.contains(plainToken));
        }
    }

    private static String dump(String url) throws Exception {
        StringBuilder sb = new StringBuilder();
        try (Connection c = DriverManager.getConnection(url, "", ""); ResultSet rs = c.createStatement().executeQuery("SCRIPT")) {
            while (rs.next()) sb.append(rs.getString(1)).append('\n');
        }
        assertTrue(sb.toString().contains("smtp.password.env"), "the dump covers the stored settings");
        return sb.toString();
    }

    private static String to(MimeMessage m) {
        try {
            return ((InternetAddress) m.getRecipients(Message.RecipientType.TO)[0]).getAddress();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int count(String s, String part) {
        return s.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }
}
