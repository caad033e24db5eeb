package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.JobDir;
import io.mailroom.testing.ScriptedSmtpServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mailroom cancel settles rows by hand: one fixed under a new key leaves its old row skipped, which would make
 * every run exit 1; cancelled, it is no problem and no run sends it.
 */
class CancelTest {
    @TempDir
    Path dir;

    private Cli.Result mailroom(String... args) {
        return Cli.run(Map.of(), Cli.withDb("jdbc:h2:" + dir.resolve("db").toAbsolutePath(), args));
    }

    @Test
    void aRowFixedUnderANewKeyIsSettledByCancellingItsOldKey() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            JobDir job = new JobDir(dir.resolve("job")).smtp("127.0.0.1", server.port(), "none")
                    .csv("email,first_name,n\nann@example.com,Ann,1\nbob@exa mple.com,Bob,2\n");
            assertEquals(1, mailroom("run", job.write().toString()).exit(), "bob's address is bad: his row is skipped");
            job.csv("email,first_name,n\nann@example.com,Ann,1\nbob@example.com,Bob,2\n");
            assertEquals(1, mailroom("run", job.write().toString()).exit(), "the old row stays skipped under its old key");

            Cli.Result cancel = mailroom("cancel", "test-job", "BOB@exa mple.com ", "ann@example.com");

            assertEquals(0, cancel.exit(), cancel.all());
            assertTrue(cancel.out().contains("test-job: BOB@exa mple.com : cancelled (was skipped)"), cancel.out());
            assertTrue(cancel.out().contains("test-job: ann@example.com: already sent; left as it is"), cancel.out());
            assertTrue(cancel.out().contains("sent 2, failed 0, unknown 0, skipped 0, partial 0, cancelled 1 (finished: every recipient sent or cancelled)"), cancel.out());
            assertEquals(0, mailroom("status", "test-job").exit());
            assertEquals(0, mailroom("run", job.write().toString()).exit());
            String json = mailroom("report", "test-job", "--format", "json").out();
            assertTrue(json.replace(" ", "").contains("\"status\":\"cancelled\"") && json.replace(" ", "").contains("\"cancelled\":1}"), json);
            assertEquals(2, server.received().size());
        }
    }

    @Test
    void aCancelledPendingRowIsNeverSent() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            Path job = new JobDir(dir.resolve("job")).numberedRecipients(3).smtp("127.0.0.1", server.port(), "none").write();
            assertEquals(75, mailroom("run", job.toString(), "--limit", "1").exit());

            Cli.Result cancel = mailroom("cancel", "test-job", "user3@example.com");
            assertEquals(75, cancel.exit(), "user2 is still pending: " + cancel.all());
            assertTrue(cancel.out().contains("user3@example.com: cancelled (was pending)"), cancel.out());

            assertEquals(0, mailroom("run", job.toString()).exit());
            assertEquals(2, server.received().size());
            assertTrue(server.received().stream().noneMatch(m -> m.recipients().contains("user3@example.com")));
        }
    }

    @Test
    void aKeyTheJobDoesNotHaveIsAUsageErrorAndNothingIsCancelled() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            Path job = new JobDir(dir.resolve("job")).numberedRecipients(2).smtp("127.0.0.1", server.port(), "none").write();
            mailroom("run", job.toString(), "--limit", "1");

            Cli.Result cancel = mailroom("cancel", "test-job", "user2@example.com", "nobody@example.com");

            assertEquals(64, cancel.exit(), cancel.all());
            assertTrue(cancel.err().contains("test-job: no recipient with key \"nobody@example.com\" in the job"), cancel.err());
            assertTrue(cancel.err().contains("nothing was cancelled"), cancel.err());
            assertEquals(0, mailroom("run", job.toString()).exit());
            assertEquals(2, server.received().size(), "user2 was not cancelled");
        }
    }
}
