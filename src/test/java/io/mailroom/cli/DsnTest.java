package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.JobDir;
import io.mailroom.testing.MutableClock;
import io.mailroom.testing.ScriptedSmtpServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dsn.* keys: a server offering DSN gets NOTIFY, RET, ENVID and ORCPT, each attempt its own ENVID, kept with the
 * attempt; a server that does not gets the message without them and the run says so once. (Against Postfix, and its
 * reports: PostfixTest; the lock-step engine here, as the scripted server announces no PIPELINING.)
 */
class DsnTest {
    private static final Pattern ENVID = Pattern.compile(" ENVID=(\\S+)");

    @TempDir
    Path dir;

    private String db() {
        return "jdbc:h2:" + dir.resolve("db").toAbsolutePath();
    }

    private JobDir job(ScriptedSmtpServer server) throws Exception {
        return new JobDir(dir.resolve("job")).numberedRecipients(2).smtp("127.0.0.1", server.port(), "none");
    }

    @Test
    void everyAttemptCarriesItsOwnEnvidWhichTheStoreKeepsWithIt() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().dsn(true).rejectRecipient("user2@example.com", "451 4.3.0 Try again later")) {
            Path job = job(server).set("dsn.notify", "failure, delay").set("dsn.ret", "hdrs").write();
            assertEquals(75, Cli.run(Map.of(), clock, d -> { }, Cli.withDb(db(), "run", job.toString())).exit());
            server.acceptRecipient("user2@example.com");
            clock.advance(Duration.ofHours(2));
            Cli.Result retry = Cli.run(Map.of(), clock, d -> { }, Cli.withDb(db(), "resume", "test-job"));
            assertEquals(0, retry.exit(), retry.all());

            List<String> mails = server.clientLines().stream().filter(l -> l.startsWith("MAIL FROM:")).toList();
            List<String> envids = new ArrayList<>();
            for (String mail : mails) {
                assertTrue(mail.matches("MAIL FROM:<team@example.com> BODY=8BITMIME RET=HDRS ENVID=r[0-9a-z]+a[12]-[a-z2-7]{8}"), mail);
                Matcher m = ENVID.matcher(mail);
                assertTrue(m.find());
                envids.add(m.group(1));
            }
            assertEquals(3, new HashSet<>(envids).size(), "user1 once, user2 twice (its retry is another attempt): " + mails);
            assertTrue(server.clientLines().contains("RCPT TO:<user1@example.com> NOTIFY=FAILURE,DELAY ORCPT=rfc822;user1@example.com"),
                    String.join("\n", server.clientLines()));
            assertEquals(envids, query("SELECT envid FROM attempts ORDER BY id"), "each attempt is stored with the ENVID it went with");
        }
    }

    @Test
    void aServerWithoutDsnGetsNoParametersAndTheRunSaysSoOnce() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            Path job = job(server).numberedRecipients(3).set("dsn.notify", "never").write();
            Cli.Result run = Cli.run(Map.of(), Cli.withDb(db(), "run", job.toString(), "--verbose"));

            assertEquals(0, run.exit(), "sent, never refused for parameters it did not offer: " + run.all());
            assertEquals(3, server.received().size());
            assertFalse(server.clientLines().stream().anyMatch(l -> l.matches(".*(NOTIFY|RET|ENVID|ORCPT)=.*")), String.join("\n", server.clientLines()));
            String note = "test-job: the server does not offer DSN (RFC 3461): messages go without the dsn.* parameters (NOTIFY, RET, ENVID, ORCPT)";
            assertEquals(1, run.err().split(Pattern.quote(note), -1).length - 1, run.err());
            assertEquals(List.of("null", "null", "null"), query("SELECT COALESCE(envid, 'null') FROM attempts"), "no ENVID went, none is kept");
        }
    }

    @Test
    void aMistakeInADsnKeyIsAConfigurationErrorThatSaysWhatIsAllowed() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().dsn(true)) {
            Cli.Result run = Cli.run(Map.of(), Cli.withDb(db(), "run", job(server).set("dsn.notify", "never,failure").write().toString()));
            assertEquals(78, run.exit(), run.all());
            assertTrue(run.err().contains("dsn.notify: \"never,failure\": never asks for no report at all, so it stands alone"), run.err());

            run = Cli.run(Map.of(), Cli.withDb(db(), "run", job(server).set("dsn.notify", null).set("dsn.ret", "headers").write().toString()));
            assertEquals(78, run.exit(), run.all());
            assertTrue(run.err().contains("dsn.ret: \"headers\" must be hdrs (a report returns the message's headers) or full (the whole message)"),
                    run.err());
            assertEquals(0, server.received().size(), "nothing was sent");
        }
    }

    private List<String> query(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(db(), "", ""); ResultSet rs = c.createStatement().executeQuery(sql)) {
            List<String> rows = new ArrayList<>();
            while (rs.next()) rows.add(rs.getString(1));
            return rows;
        }
    }
}
