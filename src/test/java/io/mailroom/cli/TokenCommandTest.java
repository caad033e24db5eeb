package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.JobDir;
import io.mailroom.testing.ScriptedSmtpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * smtp.password.command: a token helper run in the job's folder for every session that opens (never for a run
 * with nothing due), whose output is what AUTH sends; one that fails, prints nothing or hangs stops the run
 * before any server is contacted (78), saying how it failed, and its token is never shown.
 */
class TokenCommandTest {
    /** Counts its runs in the file "runs" of the folder it runs in, and prints a token numbered by the run. */
    private static final String HELPER = """
            n=$(( $(cat runs 2>/dev/null || echo 0) + 1 ))
            echo "$n" > runs
            echo "token-$n-Never-Shown"
            """;

    @TempDir
    Path dir;

    private JobDir job(ScriptedSmtpServer server, int rows, String helper) throws Exception {
        return new JobDir(dir.resolve("job")).numberedRecipients(rows).smtp("127.0.0.1", server.port(), "none")
                .set("smtp.allow-plaintext-auth", "true").set("smtp.username", "team@example.com").set("smtp.auth", "xoauth2")
                .set("smtp.password.command", "sh helper.sh").file("helper.sh", helper);
    }

    private Cli.Result mailroom(String... args) {
        return Cli.run(Cli.withDb("jdbc:h2:" + dir.resolve("db").toAbsolutePath(), args));
    }

    private int runs() throws Exception {
        Path runs = dir.resolve("job/runs");
        return Files.exists(runs) ? Integer.parseInt(Files.readString(runs).strip()) : 0;
    }

    /** The bearer token of every XOAUTH2 initial response the server received, in order. */
    private static List<String> tokensSent(ScriptedSmtpServer server) {
        return server.clientLines().stream().filter(l -> l.startsWith("AUTH XOAUTH2 "))
                .map(l -> new String(Base64.getDecoder().decode(l.substring(13)), StandardCharsets.UTF_8))
                .map(s -> s.replaceFirst("^user=team@example.com\u0001auth=Bearer (.*)\u0001\u0001$", "$1")).toList();
    }

    @Test
    void theCommandRunsOnceForEverySessionEachAuthenticatingWithTheTokenItPrintedAndNotAtAllWhenNothingIsDue() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().authMechanisms("XOAUTH2")) {
            Path job = job(server, 3, HELPER).set("smtp.max-messages-per-session", "1").write();

            Cli.Result run = mailroom("run", job.toString(), "--verbose");

            assertEquals(0, run.exit(), run.all());
            assertEquals(3, server.received().size());
            assertEquals(3, runs(), "one run of the command for each of the 3 sessions");
            assertEquals(List.of("token-1-Never-Shown", "token-2-Never-Shown", "token-3-Never-Shown"), tokensSent(server));
            assertTrue(run.err().contains("C: AUTH XOAUTH2 ****"), run.err());
            assertFalse(run.all().contains("Never-Shown"), run.all());

            Cli.Result again = mailroom("run", job.toString());
            assertEquals(0, again.exit(), again.all());
            assertEquals(3, runs(), "nothing due: the command is not run");
        }
    }

    @Test
    void resumeRunsTheCommandInTheJobsFolderWhenTheJobFileIsGone() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().authMechanisms("XOAUTH2")) {
            Path job = job(server, 2, HELPER).write();
            assertEquals(75, mailroom("run", job.toString(), "--limit", "1").exit());
            Files.delete(job);

            Cli.Result resume = mailroom("resume", "test-job");

            assertEquals(0, resume.exit(), resume.all());
            assertEquals(2, runs(), "helper.sh and its count are found in the job's folder");
            assertEquals(List.of("token-1-Never-Shown", "token-2-Never-Shown"), tokensSent(server));
        }
    }

    @Test
    void aFailingCommandStopsTheRunBeforeConnectingNamingItsExitStatusAndStandardErrorButNotItsOutput() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().authMechanisms("XOAUTH2")) {
            Path job = job(server, 2, """
                    echo "half-a-token-Never-Shown"
                    echo "refresh failed: invalid_grant" >&2
                    echo "half-a-token-Never-Shown was not accepted" >&2
                    exit 3
                    """).write();

            Cli.Result run = mailroom("run", job.toString());

            assertEquals(78, run.exit(), run.all());
            assertTrue(run.err().contains("mailroom: smtp.password.command (\"sh helper.sh\", run in " + dir.resolve("job")
                    + ") failed with exit status 3; its standard error: refresh failed: invalid_grant / **** was not accepted"), run.err());
            assertTrue(run.err().contains("test-job: stopped with pending 2, deferred 0, sent 0,"), run.err());
            assertFalse(run.all().contains("Never-Shown"), run.all());
            assertEquals(0, server.connections(), "no session without a token");
        }
    }

    @Test
    void aCommandThatPrintsNothingStopsTheRunSayingWhatItMustPrint() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().authMechanisms("XOAUTH2")) {
            Path job = job(server, 2, "echo 'no cached token; log in first' >&2\n").write();

            Cli.Result run = mailroom("run", job.toString());

            assertEquals(78, run.exit(), run.all());
            assertTrue(run.err().contains("printed nothing; it must print the access token (or password) on standard output;"
                    + " its standard error: no cached token; log in first"), run.err());
            assertEquals(0, server.connections());
        }
    }

    @Test
    void aCommandThatOutlastsSmtpTimeoutIsStoppedAndTheRunEndsWithNothingSent() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().authMechanisms("XOAUTH2")) {
            Path job = job(server, 2, "echo 'waiting for the browser' >&2\nsleep 60\necho late-token-Never-Shown\n").set("smtp.timeout", "500ms").write();

            Cli.Result run = mailroom("run", job.toString());

            assertEquals(78, run.exit(), run.all());
            assertTrue(run.err().contains("did not finish within 500ms (smtp.timeout, else 1m) and was stopped; its standard error: waiting for the browser"),
                    run.err());
            assertTrue(run.err().contains("test-job: stopped with pending 2,"), run.err());
            assertEquals(0, server.connections());
        }
    }
}
