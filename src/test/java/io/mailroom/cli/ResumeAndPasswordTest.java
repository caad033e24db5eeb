package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.JobDir;
import io.mailroom.testing.ScriptedSmtpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** resume goes where run goes (--sandbox), and neither asks for the SMTP password unless a session is about to open. */
class ResumeAndPasswordTest {
    @TempDir
    Path dir;

    private String db() {
        return "jdbc:h2:" + dir.resolve("jobs");
    }

    @Test
    void resumeSendsWhatIsLeftToTheSandbox() throws Exception {
        Path job = new JobDir(dir.resolve("job")).smtp("127.0.0.1", 25, "none").numberedRecipients(3).write();
        Cli.Result first = Cli.run("run", job.toString(), "--limit", "1", "--sandbox", dir.resolve("first").toString(), "--db", db());
        assertEquals(75, first.exit(), first.all());

        Cli.Result resume = Cli.run("resume", "test-job", "--sandbox", dir.resolve("rest").toString(), "--db", db());

        assertEquals(0, resume.exit(), resume.all());
        assertTrue(resume.err().startsWith("sandbox: SMTP on 127.0.0.1:"), resume.err());
        assertTrue(resume.out().contains("test-job: 2 message(s) tried over 1 SMTP session(s)"), resume.out());
        assertEquals(List.of("000001-user2@example.com.eml", "000002-user3@example.com.eml"), emls(dir.resolve("rest")));
    }

    @Test
    void aJobWithNothingDueNeverAsksForThePasswordAndOneWithSomethingDueAsksBeforeConnecting() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            JobDir jobDir = new JobDir(dir.resolve("job")).smtp("127.0.0.1", server.port(), "none").numberedRecipients(2)
                    .set("smtp.username", "team@example.com").set("smtp.password.env", "MAILROOM_TEST_PASSWORD_NOT_SET");
            Path job = jobDir.write();
            assertEquals(0, Cli.run("run", job.toString(), "--sandbox", dir.resolve("out").toString(), "--db", db()).exit());

            Cli.Result run = Cli.run(Map.of(), "run", job.toString(), "--db", db());
            assertEquals(0, run.exit(), "a finished job needs no password: " + run.all());
            assertTrue(run.out().contains("test-job: nothing due: sent nothing"), run.out());
            Cli.Result resume = Cli.run(Map.of(), "resume", "test-job", "--db", db());
            assertEquals(0, resume.exit(), resume.all());
            assertTrue(resume.out().contains("test-job: nothing due: sent nothing"), resume.out());

            jobDir.numberedRecipients(3);
            Cli.Result due = Cli.run(Map.of(), "run", job.toString(), "--db", db());
            assertEquals(78, due.exit(), due.all());
            assertTrue(due.err().contains("test-job: stopped with pending 1, deferred 0, sent 2,"), due.err());
            assertTrue(due.err().contains("mailroom: environment variable MAILROOM_TEST_PASSWORD_NOT_SET (named by smtp.password.env) is not set"),
                    due.err());
            assertTrue(server.clientLines().isEmpty(), "asked before connecting: " + server.clientLines());
        }
    }

    private static List<String> emls(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
