package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.JobDir;
import io.mailroom.testing.ScriptedSmtpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run given the CSV file the job's last complete plan read, with every row planned and none skipped, has
 * nothing to plan and sends at once: a scheduled run of a big job, or one more worker joining a shared one,
 * does not read and render every row again. Any other file, or a job with skipped rows, is planned.
 */
class ReplanTest {
    @TempDir
    Path dir;

    private Cli.Result mailroom(String... args) {
        return Cli.run(Map.of(), Cli.withDb("jdbc:h2:" + dir.resolve("db").toAbsolutePath(), args));
    }

    private static JobDir withAttachment(Path dir, int port) throws Exception {
        return new JobDir(dir).numberedRecipients(3).smtp("127.0.0.1", port, "none")
                .file("message.ftl", JobDir.TEMPLATE.replace("Subject:", "Attachment: data.bin\nSubject:"));
    }

    @Test
    void aSecondRunOfTheSameFileRendersNoRowAgain() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            // without a key column a row's key is its rendered To: only rendering it again would find it known
            JobDir dirOf = new JobDir(dir.resolve("job")).numberedRecipients(3).smtp("127.0.0.1", server.port(), "none").set("recipients.key", null);
            assertEquals(0, mailroom("run", dirOf.write().toString()).exit());

            // rendered now, every row would be too large, and planned as a skipped row of its own
            Cli.Result again = mailroom("run", dirOf.set("message.max-size", "100").write().toString());

            assertEquals(0, again.exit(), again.all());
            assertTrue(again.out().contains("3 row(s) read, 0 new, 3 already in the job"), again.out());
            assertTrue(mailroom("status", "test-job").out().contains("skipped 0"), "no row was rendered again");
            assertEquals(3, server.received().size());
        }
    }

    @Test
    void aJobWithSkippedRowsIsPlannedAgainFromTheSameFile() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            JobDir dirOf = withAttachment(dir.resolve("job"), server.port());
            Path job = dirOf.write();
            Cli.Result first = mailroom("run", job.toString());
            assertEquals(1, first.exit(), "data.bin is missing: every row is skipped: " + first.all());
            dirOf.bytes("data.bin", new byte[] {1, 2, 3});

            Cli.Result again = mailroom("run", job.toString());

            assertEquals(0, again.exit(), again.all());
            assertEquals(3, server.received().size(), "the skipped rows are planned again, now that their attachment is there");
        }
    }
}
