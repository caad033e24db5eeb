package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.user.GreenMailUser;
import io.mailroom.testing.GreenMailServer;
import io.mailroom.testing.JobDir;
import io.mailroom.testing.ScriptedSmtpServer;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mailroom bounces: bounces in a real POP3 or IMAP mailbox (GreenMail's) are put on the addresses they are about; a
 * hard bounce makes a sent address bounced, a delay is noted, an auto-reply or a bounce for no address of the job is
 * left in the mailbox and changes nothing; reading again changes nothing.
 */
class BouncesTest {
    private static GreenMailServer mailbox;
    private static GreenMailUser user;
    private static final Map<String, String> ENV = Map.of("BOUNCE_PW", GreenMailServer.PASSWORD);

    @TempDir
    Path dir;
    String db;

    @BeforeAll
    static void start() throws Exception {
        mailbox = GreenMailServer.withMailboxes();
        user = mailbox.greenMail().getUserManager().getUser(GreenMailServer.USER);
    }

    @AfterAll
    static void stop() {
        mailbox.close();
    }

    @BeforeEach
    void emptyMailbox() throws Exception {
        mailbox.purge();
        db = "jdbc:h2:" + dir.resolve("db").toAbsolutePath();
    }

    private Cli.Result mailroom(String... args) {
        return Cli.run(ENV, Cli.withDb(db, args));
    }

    private JobDir job(String protocol, int port, ScriptedSmtpServer smtp) throws Exception {
        return new JobDir(dir.resolve("job")).numberedRecipients(3).smtp("127.0.0.1", smtp.port(), "none")
                .set("bounces.protocol", protocol).set("bounces.host", "127.0.0.1").set("bounces.port", String.valueOf(port))
                .set("bounces.security", "none").set("bounces.allow-plaintext-auth", "true").set("bounces.username", GreenMailServer.USER)
                .set("bounces.password.env", "BOUNCE_PW");
    }

    private static void deliver(String raw) throws Exception {
        user.deliver(new MimeMessage(null, new ByteArrayInputStream(raw.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8))));
    }

    private static String dsn(String to, String address, String action, String status, String messageId) {
        return """
                From: MAILER-DAEMON@mx.example.net
                To: %s
                Subject: Undelivered Mail Returned to Sender
                Auto-Submitted: auto-replied
                MIME-Version: 1.0
                Content-Type: multipart/report; report-type=delivery-status; boundary="B"

                --B
                Content-Type: text/plain

                Your message could not be delivered.
                --B
                Content-Type: message/delivery-status

                Reporting-MTA: dns; mx.example.net

                Final-Recipient: rfc822; %s
                Action: %s
                Status: %s
                Diagnostic-Code: smtp; %s

                --B
                Content-Type: text/rfc822-headers

                From: team@example.com
                Message-ID: %s
                Subject: Hello

                --B--
                """.formatted(to, address, action, status, status.startsWith("5") ? "550 " + status + " no such user" : "451 " + status
                + " still trying", messageId);
    }

    private String messageIdOf(String address) {
        String json = mailroom("report", "test-job", "--format", "json").out();
        Matcher m = Pattern.compile("\"key\": \"" + Pattern.quote(address) + "\".*?\"messageId\": \"([^\"]+)\"").matcher(json);
        assertTrue(m.find(), json);
        return m.group(1);
    }

    private static List<String> subjectsInInbox() throws Exception {
        List<String> out = new ArrayList<>();
        for (StoredMessage m : mailbox.greenMail().getManagers().getImapHostManager().getInbox(user).getMessages()) {
            out.add(m.getMimeMessage().getSubject());
        }
        return out;
    }

    @Test
    void aHardBounceOverPop3MakesItsAddressBouncedAndOnlyWhatMatchedLeavesTheMailbox() throws Exception {
        try (ScriptedSmtpServer smtp = new ScriptedSmtpServer()) {
            Path job = job("pop3", mailbox.pop3Port(), smtp).write();
            assertEquals(0, mailroom("run", job.toString()).exit());
            deliver(dsn("team@example.com", "user2@example.com", "failed", "5.1.1", messageIdOf("user2@example.com")));
            deliver(dsn("team@example.com", "user3@example.com", "delayed", "4.4.7", messageIdOf("user3@example.com")));
            deliver(dsn("team@example.com", "nobody@example.com", "failed", "5.1.1", "<other@example.com>"));
            deliver("From: ann@example.com\nTo: team@example.com\nSubject: Out of Office: Hello\nAuto-Submitted: auto-replied\n\nI am away.\n");

            Cli.Result read = mailroom("bounces", "test-job");

            assertEquals(1, read.exit(), "a bounced address is a problem: " + read.all());
            assertTrue(read.out().contains("test-job: user2@example.com bounced: 5.1.1 550 5.1.1 no such user (reported by mx.example.net)"), read.out());
            assertTrue(read.out().contains("test-job: user3@example.com delayed past the relay: 4.4.7"), read.out());
            assertTrue(read.out().contains("nobody@example.com is no address of the job"), read.out());
            assertTrue(read.out().contains("is an auto-reply; left in the mailbox"), read.out());
            assertTrue(read.out().contains("test-job: 4 message(s) read: 1 address(es) bounced, 1 delayed, 2 put on no address (left in the mailbox)"),
                    read.out());
            assertTrue(read.out().contains("sent 2, failed 0, unknown 0, skipped 0, partial 0, bounced 1 (finished with problems)"), read.out());
            assertEquals(List.of("Undelivered Mail Returned to Sender", "Out of Office: Hello"), subjectsInInbox(), "what matched nothing stays");

            Cli.Result again = mailroom("bounces");
            assertEquals(0, again.exit(), "without a job name: every job that names a mailbox, exit 0 unless it fails: " + again.all());
            assertTrue(again.out().contains("test-job: 2 message(s) read: 0 address(es) bounced, 0 delayed, 2 put on no address"), again.out());
            String json = mailroom("report", "test-job", "--format", "json").out();
            assertTrue(json.contains("{\"address\": \"user2@example.com\", \"kind\": \"to\", \"status\": \"bounced\""), json);
            assertTrue(json.contains("\"bounce\": \"bounced: 5.1.1 550 5.1.1 no such user (reported by mx.example.net)\""), json);
            assertTrue(json.contains("\"bounced\": 1"), json);
            String text = mailroom("report", "test-job").out();
            assertTrue(text.contains("  bounce rate: 1 of 3 address(es) the relay accepted bounced (33.3%)"), text);
        }
    }

    @Test
    void aMessageThatCannotBeReadIsSaidAndLeftInTheMailboxNeverACrash() throws Exception {
        try (ScriptedSmtpServer smtp = new ScriptedSmtpServer()) {
            Path job = job("pop3", mailbox.pop3Port(), smtp).write();
            assertEquals(0, mailroom("run", job.toString()).exit());
            deliver("From: MAILER-DAEMON@mx.example.net\nTo: team@example.com\nSubject: broken\nMIME-Version: 1.0\n"
                    + "Content-Type: multipart/report; report-type=delivery-status\n\nno boundary at all\n");

            Cli.Result read = mailroom("bounces", "test-job");

            assertEquals(0, read.exit(), read.all());
            assertTrue(read.out().contains("test-job: a message in the bounce mailbox could not be read ("), read.out());
            assertTrue(read.out().contains("1 message(s) read: 0 address(es) bounced, 0 delayed, 1 put on no address"), read.out());
            assertEquals(List.of("broken"), subjectsInInbox());
        }
    }

    @Test
    void killedWhileReadingTheMailboxItLosesNoBounceAndAppliesNoneTwice() throws Exception {
        int rows = 60;
        try (ScriptedSmtpServer smtp = new ScriptedSmtpServer()) {
            Path job = new JobDir(dir.resolve("job")).numberedRecipients(rows).smtp("127.0.0.1", smtp.port(), "none")
                    .set("bounces.protocol", "pop3").set("bounces.host", "127.0.0.1").set("bounces.port", String.valueOf(mailbox.pop3Port()))
                    .set("bounces.security", "none").set("bounces.allow-plaintext-auth", "true").set("bounces.username", GreenMailServer.USER)
                    .set("bounces.password.env", "BOUNCE_PW").write();
            assertEquals(0, mailroom("run", job.toString()).exit());
            String json = mailroom("report", "test-job", "--format", "json").out();
            for (int i = 1; i <= rows; i++) {
                Matcher m = Pattern.compile("\"key\": \"user" + i + "@example.com\".*?\"messageId\": \"([^\"]+)\"").matcher(json);
                assertTrue(m.find());
                deliver(dsn("team@example.com", "user" + i + "@example.com", "failed", "5.1.1", m.group(1)));
            }
            for (int kill = 0; kill < 2; kill++) {
                Path log = dir.resolve("kill" + kill + ".log");
                Process p = io.mailroom.testing.Child.start(log, ENV, "bounces", "test-job", "--db", db);
                // killed once it has applied a bounce: in the middle of its reading
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
                while (p.isAlive() && !io.mailroom.testing.Child.output(log).contains(" bounced: ") && System.nanoTime() < deadline) Thread.sleep(5);
                p.destroyForcibly().waitFor();
                String said = io.mailroom.testing.Child.output(log);
                assertTrue(said.contains(" bounced: "), "it had begun: " + said);
                assertTrue(!said.contains("message(s) read:"), "and was killed before its end: " + said);
            }
            Cli.Result last = mailroom("bounces", "test-job");

            assertEquals(1, last.exit(), last.all());
            assertTrue(last.out().contains("sent 0, failed 0, unknown 0, skipped 0, partial 0, bounced " + rows), "none lost: " + last.out());
            assertEquals(List.of(), subjectsInInbox(), "every applied bounce left the mailbox in the end");
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(db, "", "");
                 java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*), COUNT(DISTINCT recipient_id) FROM bounce_events")) {
                rs.next();
                assertEquals(rows, rs.getInt(1), "no bounce applied twice");
                assertEquals(rows, rs.getInt(2));
            }
        }
    }

    @Test
    void aDryRunChangesNothingAndKeepLeavesTheMailboxAsItWas() throws Exception {
        try (ScriptedSmtpServer smtp = new ScriptedSmtpServer()) {
            Path job = job("imap", mailbox.imapPort(), smtp).write();
            assertEquals(0, mailroom("run", job.toString()).exit());
            deliver(dsn("team@example.com", "user1@example.com", "failed", "5.1.1", messageIdOf("user1@example.com")));

            Cli.Result dry = mailroom("bounces", "test-job", "--dry-run");
            assertTrue(dry.out().contains("user1@example.com bounced") && dry.out().contains("dry run: nothing was changed"), dry.out());
            assertEquals(0, mailroom("status", "test-job").exit(), "nothing changed");
            assertEquals(1, subjectsInInbox().size());

            Cli.Result kept = mailroom("bounces", "test-job", "--keep");
            assertEquals(1, kept.exit(), kept.all());
            assertEquals(1, subjectsInInbox().size(), "--keep leaves the mailbox as it was");
            Cli.Result again = mailroom("bounces", "test-job");
            assertTrue(again.out().contains("1 message(s) read: 0 address(es) bounced"), "read before: nothing twice: " + again.out());
            assertEquals(0, subjectsInInbox().size(), "and now it is removed, what it changed being stored");
        }
    }

    @Test
    void withVerpAMangledBounceFindsItsRowWhereTwoRowsShareTheAddress() throws Exception {
        try (ScriptedSmtpServer smtp = new ScriptedSmtpServer()) {
            Path job = job("imap", mailbox.imapPort(), smtp).set("envelope.verp", "true").set("recipients.key", "n")
                    .csv("email,first_name,n\nsame@example.com,First,1\nsame@example.com,Second,2\n").write();
            assertEquals(0, mailroom("run", job.toString()).exit());
            String secondReturnPath = smtp.received().get(1).from();
            // a plain-text bounce with no report and no returned message: only its own recipient names the attempt
            deliver("From: MAILER-DAEMON@mx.example.net\nTo: " + secondReturnPath + "\nDelivered-To: " + secondReturnPath
                    + "\nSubject: Mail delivery failed: returning message to sender\n\nThis message was created automatically by mail delivery software.\n\n"
                    + "A message that you sent could not be delivered to one or more of its recipients. This is a permanent error."
                    + " The following address(es) failed:\n\n  same@example.com\n    host mx.example.net [192.0.2.1]\n    SMTP error from remote mail server"
                    + " after RCPT TO:<same@example.com>:\n    550 5.1.1 User unknown\n");

            Cli.Result read = mailroom("bounces", "test-job");

            assertEquals(1, read.exit(), read.all());
            String json = mailroom("report", "test-job", "--format", "json").out();
            assertTrue(json.matches("(?s).*\"row\": 2, \"key\": \"1\".*?\"status\": \"sent\".*\"row\": 3, \"key\": \"2\".*?\"status\": \"bounced\".*"), json);
        }
    }

    /** A report that names its message only by the ENVID it was sent with: no returned message, no VERP return path. */
    private static String reportWithEnvid(String envid, String finalRecipient) {
        return """
                From: MAILER-DAEMON@mx.example.net
                To: team@example.com
                Subject: Delivery Status Notification (Failure)
                MIME-Version: 1.0
                Content-Type: multipart/report; report-type=delivery-status; boundary="B"

                --B
                Content-Type: text/plain

                Your message could not be delivered.
                --B
                Content-Type: message/delivery-status

                Reporting-MTA: dns; mx.example.net
                Original-Envelope-Id: %s

                Final-Recipient: rfc822; %s
                Action: failed
                Status: 5.1.1
                Diagnostic-Code: smtp; 550 5.1.1 no such user

                --B--
                """.formatted(envid, finalRecipient);
    }

    @Test
    void anEnvidInTheReportFindsItsRowWhereTwoRowsShareTheAddressAndAForeignOneDoesNot() throws Exception {
        try (ScriptedSmtpServer smtp = new ScriptedSmtpServer().dsn(true)) {
            Path job = job("pop3", mailbox.pop3Port(), smtp).set("dsn.notify", "failure").set("recipients.key", "n")
                    .csv("email,first_name,n\nsame@example.com,First,1\nsame@example.com,Second,2\n").write();
            assertEquals(0, mailroom("run", job.toString()).exit());
            List<String> mails = smtp.clientLines().stream().filter(l -> l.startsWith("MAIL FROM:")).toList();
            String secondEnvid = mails.get(1).replaceFirst(".* ENVID=(\\S+).*", "$1");
            // the same form, a row of this database, but not an ENVID the job sent: it names nothing, and the address alone cannot tell
            String foreign = secondEnvid.replaceFirst("-[a-z2-7]{8}$", "-aaaaaaaa");
            deliver(reportWithEnvid(foreign, "same@example.com"));
            deliver(reportWithEnvid(secondEnvid, "same@example.com"));

            Cli.Result read = mailroom("bounces", "test-job");

            assertEquals(1, read.exit(), read.all());
            assertTrue(read.out().contains("test-job: same@example.com bounced: 5.1.1"), read.out());
            assertTrue(read.out().contains("same@example.com is in 2 rows of the job and the bounce returned no Message-ID to tell them apart"), read.out());
            String json = mailroom("report", "test-job", "--format", "json").out();
            assertTrue(json.matches("(?s).*\"row\": 2, \"key\": \"1\".*?\"status\": \"sent\".*\"row\": 3, \"key\": \"2\".*?\"status\": \"bounced\".*"), json);
        }
    }

    @Test
    void aBounceForACcAddressMakesThatAddressBouncedAndLeavesTheToSent() throws Exception {
        try (ScriptedSmtpServer smtp = new ScriptedSmtpServer()) {
            Path job = job("imap", mailbox.imapPort(), smtp).file("message.ftl",
                    "From: Team <team@example.com>\nTo: ${email}\nCc: copy-${n}@example.org\nSubject: Hello\n\nHello ${first_name}\n").write();
            assertEquals(0, mailroom("run", job.toString()).exit());
            deliver(dsn("team@example.com", "copy-2@example.org", "failed", "5.1.1", messageIdOf("user2@example.com")));

            Cli.Result read = mailroom("bounces", "test-job");

            assertEquals(1, read.exit(), read.all());
            assertTrue(read.out().contains("test-job: copy-2@example.org bounced: 5.1.1"), read.out());
            String json = mailroom("report", "test-job", "--format", "json").out();
            assertTrue(json.contains("{\"address\": \"user2@example.com\", \"kind\": \"to\", \"status\": \"sent\""), json);
            assertTrue(json.contains("{\"address\": \"copy-2@example.org\", \"kind\": \"cc\", \"status\": \"bounced\""), json);
        }
    }

    @Test
    void aJobThatOptsInKeepsAnAddressThatHardBouncedOut() throws Exception {
        try (ScriptedSmtpServer smtp = new ScriptedSmtpServer()) {
            Path job = job("pop3", mailbox.pop3Port(), smtp).write();
            assertEquals(0, mailroom("run", job.toString()).exit());
            deliver(dsn("team@example.com", "user2@example.com", "failed", "5.1.1", messageIdOf("user2@example.com")));
            assertEquals(1, mailroom("bounces", "test-job").exit());

            Path next = new JobDir(dir.resolve("next")).set("name", "next").numberedRecipients(3).smtp("127.0.0.1", smtp.port(), "none")
                    .set("recipients.suppress-bounced", "true").write();
            Cli.Result run = mailroom("run", next.toString());

            assertEquals(1, run.exit(), run.all());
            assertTrue(run.err().contains("user2@example.com hard-bounced in job test-job (bounced: 5.1.1"), run.err());
            assertEquals(5, smtp.received().size(), "3 for the first job, 2 for the next");
        }
    }
}
