package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.Child;
import io.mailroom.testing.JobDir;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which database a command uses, and what it says when that is not the one the user meant: status, report and
 * resume never create one, and every "no such job" names the database it looked in.
 */
class WhereTheDataLivesTest {
    private static final String HINT = "mailroom keeps jobs in ./.mailroom/ of the folder it runs in unless --db or MAILROOM_DB names a database";

    @TempDir
    Path dir;

    @Test
    void statusReportAndResumeOfAMistypedDatabaseCreateNoneAndSayWhereTheyLooked() {
        String typo = "jdbc:h2:" + dir.resolve("tyop").resolve("jobs");
        Path file = dir.resolve("tyop").resolve("jobs.mv.db");

        Cli.Result all = Cli.run("status", "--db", typo);
        assertEquals(0, all.exit(), "nothing to list is no failure: " + all.all());
        assertTrue(all.out().startsWith("no jobs yet: there is no database at " + file + "; " + HINT), all.out());

        for (String command : List.of("status", "report", "resume")) {
            Cli.Result one = Cli.run(command, "welcome", "--db", typo);
            assertEquals(66, one.exit(), command + ": " + one.all());
            assertTrue(one.err().startsWith("mailroom: no job named \"welcome\": there is no database at " + file + "; " + HINT), command + ": " + one.err());
            assertFalse(one.err().contains("internal error"), one.err());
        }
        assertFalse(Files.exists(dir.resolve("tyop")), "no folder, no database made");
    }

    @Test
    void statusInAnotherFolderNamesTheDefaultDatabaseItLookedForAndMakesNone() throws Exception {
        Path log = dir.resolve("status.log");
        Process status = Child.startUnderUmask("022", dir, log, "status");
        assertTrue(status.waitFor(120, TimeUnit.SECONDS), "finished");
        String out = Child.output(log);
        assertEquals(0, status.exitValue(), out);
        assertTrue(out.contains("no jobs yet: there is no database at " + dir.toRealPath().resolve(".mailroom/mailroom.mv.db")), out);
        assertFalse(Files.exists(dir.resolve(".mailroom")), "no database made in the working folder");
    }

    @Test
    void aRunThatCreatesADatabaseSaysWhereOnceAndLaterRunsDoNot() throws Exception {
        String db = "jdbc:h2:" + dir.resolve("tyop").resolve("jobs");
        Path job = new JobDir(dir.resolve("job")).smtp("127.0.0.1", 25, "none").numberedRecipients(1).write();
        String note = "mailroom: note: created a new database at " + dir.resolve("tyop").resolve("jobs.mv.db")
                + " (a job is kept in the database it was run with; --db or MAILROOM_DB chooses another)\n";

        Cli.Result first = Cli.run("run", job.toString(), "--sandbox", dir.resolve("out").toString(), "--db", db);
        assertEquals(0, first.exit(), first.all());
        assertEquals(1, first.err().split(java.util.regex.Pattern.quote(note), -1).length - 1, "said once: " + first.err());

        Cli.Result again = Cli.run("run", job.toString(), "--sandbox", dir.resolve("out").toString(), "--db", db);
        assertEquals(0, again.exit(), again.all());
        assertFalse(again.err().contains("created a new database"), again.err());
        assertFalse(Cli.run("status", "--db", db).all().contains("created a new database"));
    }

    @Test
    void noJobNamedSaysWhichDatabaseItLookedIn() throws Exception {
        String db = "jdbc:h2:" + dir.resolve("jobs");
        Path job = new JobDir(dir.resolve("job")).smtp("127.0.0.1", 25, "none").numberedRecipients(1).write();
        assertEquals(0, Cli.run("run", job.toString(), "--sandbox", dir.resolve("out").toString(), "--db", db).exit());

        for (String command : List.of("status", "report", "resume")) {
            Cli.Result r = Cli.run(command, "tset-job", "--db", db);
            assertEquals(66, r.exit(), command + ": " + r.all());
            assertEquals("mailroom: no job named \"tset-job\" in " + dir.resolve("jobs.mv.db") + "\n", r.err(), command);
        }
        Cli.Result all = Cli.run("status", "--db", db);
        assertTrue(all.out().startsWith("test-job: "), all.out());
    }

    @Test
    void anUnreachableDatabaseServerExits75SayingSoWithoutAStackTrace() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String db = "jdbc:h2:tcp://localhost:" + closed + "/jobs";
        Path job = new JobDir(dir.resolve("job")).smtp("127.0.0.1", 25, "none").numberedRecipients(1).write();
        for (Cli.Result r : List.of(Cli.run("status", "--db", db), Cli.run("report", "test-job", "--db", db), Cli.run("run", job.toString(), "--db", db))) {
            assertEquals(75, r.exit(), r.all());
            assertTrue(r.err().startsWith("mailroom: cannot connect to the H2 server of " + db + ": Connection refused; nothing was sent;"
                    + " start it or correct the host and port, then run again"), r.err());
            assertFalse(r.err().contains("internal error") || r.err().contains("\tat "), r.err());
        }
    }

    @Test
    void reportIntoAMissingFolderOrOntoAFolderIsAUsageError() throws Exception {
        String db = "jdbc:h2:" + dir.resolve("jobs");
        Cli.Result nowhere = Cli.run("report", "test-job", "--db", db, "--output", dir.resolve("no-such-folder/r.html").toString());
        assertEquals(64, nowhere.exit(), nowhere.all());
        assertEquals("mailroom: --output: the folder " + dir.resolve("no-such-folder") + " does not exist; create it first, or write the report"
                + " somewhere else\ntry 'mailroom report --help'\n", nowhere.err());

        Cli.Result folder = Cli.run("report", "test-job", "--db", db, "--output", dir.toString());
        assertEquals(64, folder.exit(), folder.all());
        assertTrue(folder.err().startsWith("mailroom: --output: " + dir + " is a folder; name a file in it, e.g. " + dir.resolve("test-job-report.txt")),
                folder.err());
    }

    @Test
    void aJobFileRunFromAnotherPathThanLastTimeIsNotedOnce() throws Exception {
        String db = "jdbc:h2:" + dir.resolve("jobs");
        Path first = new JobDir(dir.resolve("a")).smtp("127.0.0.1", 25, "none").numberedRecipients(2).write();
        Path second = new JobDir(dir.resolve("b")).smtp("127.0.0.1", 25, "none").numberedRecipients(2).write();
        String out = dir.resolve("out").toString();
        assertEquals(0, Cli.run("run", first.toString(), "--sandbox", out, "--db", db).exit());

        Cli.Result moved = Cli.run("run", second.toString(), "--sandbox", out, "--db", db);
        assertEquals(0, moved.exit(), moved.all());
        assertTrue(moved.err().contains("mailroom: note: job test-job was last run from " + first.toAbsolutePath() + "; now run from "
                + second.toAbsolutePath() + " (a job is known by its name: if this is another job, give it a name= of its own"), moved.err());
        assertTrue(moved.out().contains("2 already in the job"), moved.out());

        Cli.Result again = Cli.run("run", second.toString(), "--sandbox", out, "--db", db);
        assertFalse(again.err().contains("note: job"), "said once: " + again.err());
        Cli.Result back = Cli.run("run", first.toString(), "--sandbox", out, "--db", db);
        assertTrue(back.err().contains("was last run from " + second.toAbsolutePath() + "; now run from " + first.toAbsolutePath()), back.err());
    }
}
