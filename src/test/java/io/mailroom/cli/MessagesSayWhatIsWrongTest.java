package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.JobDir;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mistakes of a first week, each told as what is wrong and what to do, not only which rule was broken. */
class MessagesSayWhatIsWrongTest {
    @TempDir
    Path dir;

    private JobDir job() throws Exception {
        return new JobDir(dir.resolve("job")).smtp("127.0.0.1", 25, "none").numberedRecipients(1);
    }

    private String db() {
        return "jdbc:h2:" + dir.resolve("jobs");
    }

    @Test
    void aJobNameThatIsTooLongSaysSoAndTheLimit() throws Exception {
        Path file = job().set("name", "a".repeat(5000)).write();
        Cli.Result r = Cli.run("run", file.toString(), "--dry-run", "--db", db());
        assertEquals(78, r.exit(), r.all());
        assertEquals("mailroom: " + file + ": name: \"" + "a".repeat(40) + "…\" (5000 characters) is too long: at most 200 characters\n", r.err());
    }

    @Test
    void aNameTakenFromTheFilesNameSaysWhereItCameFromAndSuggestsANameLine() throws Exception {
        Path file = Files.move(job().set("name", null).write(), dir.resolve("job").resolve("my job.job"));
        Cli.Result r = Cli.run("run", file.toString(), "--dry-run", "--db", db());
        assertEquals(78, r.exit(), r.all());
        assertEquals("mailroom: " + file + ": the job's name comes from the file's name when there is no name= line, and \"my job\" must be"
                + " letters, digits, '.', '_' or '-', starting with a letter or digit (it names the job in commands): add a line such as"
                + " name=my-job\n", r.err());
    }

    @Test
    void aMaxDurationOfZeroSaysItMustBeMoreThanZero() throws Exception {
        Cli.Result r = Cli.run("run", job().write().toString(), "--max-duration", "0s", "--sandbox", dir.resolve("out").toString(), "--db", db());
        assertEquals(64, r.exit(), r.all());
        assertTrue(r.err().startsWith("mailroom: --max-duration: \"0s\" must be more than zero, e.g. 30m; leave the option out for no limit\n"), r.err());
    }

    @Test
    void aReportIntoAFileOrIntoProcSaysWhyOnce() throws Exception {
        assertEquals(0, Cli.run("run", job().write().toString(), "--sandbox", dir.resolve("out").toString(), "--db", db()).exit());
        Path file = Files.writeString(dir.resolve("mix.csv"), "a,b\n");

        Cli.Result through = Cli.run("report", "test-job", "--db", db(), "--output", file.resolve("x.txt").toString());
        assertEquals(64, through.exit(), through.all());
        assertTrue(through.err().startsWith("mailroom: --output: " + file + " is a file, not a folder; write the report somewhere else\n"), through.err());

        Cli.Result proc = Cli.run("report", "test-job", "--db", db(), "--output", "/proc/r.txt");
        assertEquals(64, proc.exit(), proc.all());
        assertTrue(proc.err().startsWith("mailroom: --output: cannot write /proc/r.txt: /proc takes no new files (a system folder such as /proc"
                + " or /sys); write the report somewhere else\n"), proc.err());
    }
}
