package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.JobDir;
import io.mailroom.testing.ScriptedSmtpServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** envelope.verp=true: every attempt goes out with its own return path, naming no address. */
class VerpSendTest {
    @TempDir
    Path dir;

    @Test
    void eachMessageGoesWithAReturnPathOfItsOwnThatCarriesNoRecipientData() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            Path job = new JobDir(dir.resolve("job")).numberedRecipients(3).smtp("127.0.0.1", server.port(), "none")
                    .set("envelope.verp", "true").write();
            Cli.Result run = Cli.run(Map.of(), Cli.withDb("jdbc:h2:" + dir.resolve("db").toAbsolutePath(), "run", job.toString()));

            assertEquals(0, run.exit(), run.all());
            Set<String> froms = server.received().stream().map(ScriptedSmtpServer.Received::from).collect(Collectors.toSet());
            assertEquals(3, froms.size(), "one return path per message: " + froms);
            for (String from : froms) {
                assertTrue(from.matches("team\\+r[0-9a-z]+a1-[a-z2-7]{8}@example\\.com"), from);
                assertTrue(!from.contains("user"), "no recipient data in it: " + from);
            }
        }
    }

    @Test
    void aMessageTakenButNeverWrittenGoesOnTheNextSessionWithOneTokenAndItsDsnParameters() throws Exception {
        // pipelined: the next message is taken while the first one's "." is answered; the drop gives it back unwritten
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().pipelining(true).dsn(true).fault(1, ScriptedSmtpServer.Fault.DROP_AFTER_DOT)) {
            Path job = new JobDir(dir.resolve("job")).numberedRecipients(3).smtp("127.0.0.1", server.port(), "none")
                    .set("envelope.verp", "true").set("dsn.notify", "failure").write();
            Cli.Result run = Cli.run(Map.of(), Cli.withDb("jdbc:h2:" + dir.resolve("db").toAbsolutePath(), "run", job.toString()));

            assertEquals(1, run.exit(), "the first is unknown, the others sent: " + run.all());
            java.util.List<String> mails = server.clientLines().stream().filter(l -> l.startsWith("MAIL FROM:")).toList();
            assertTrue(mails.stream().anyMatch(m -> m.startsWith("MAIL FROM:<team+r3a1-")), "the third, given back, went on the next session: " + mails);
            for (String mail : mails) {
                assertTrue(mail.matches("MAIL FROM:<team\\+r[0-9a-z]+a[0-9a-z]+-[a-z2-7]{8}@example\\.com> BODY=8BITMIME ENVID=r[0-9a-z]+a[0-9a-z]+-[a-z2-7]{8}"), mail);
            }
        }
    }
}
