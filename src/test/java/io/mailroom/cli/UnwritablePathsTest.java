package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.mailroom.testing.JobDir;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A path on the command line that cannot be written — through a file, or into /proc — is a usage error (64) of
 * one line naming it and what is wrong, never an internal error with a stack trace.
 */
class UnwritablePathsTest {
    @TempDir
    Path dir;

    private Path job() throws Exception {
        return new JobDir(dir.resolve("job")).smtp("127.0.0.1", 25, "none").numberedRecipients(1).write();
    }

    private static void refused(Cli.Result r, String line) {
        assertEquals(64, r.exit(), r.all());
        assertEquals("mailroom: " + line + "\n", r.err());
    }

    @Test
    void aFolderOptionThatNamesAFileOrGoesThroughOneSaysItIsAFileNotAFolder() throws Exception {
        Path file = Files.writeString(dir.resolve("mix.csv"), "a,b\n");
        String db = "jdbc:h2:" + dir.resolve("jobs");

        refused(Cli.run("run", job().toString(), "--sandbox", file.toString(), "--db", db), file + " is a file, not a folder");
        refused(Cli.run("preview", job().toString(), "--output", file.resolve("out").toString()),
                "cannot make the folder " + file.resolve("out") + ": " + file + " is a file, not a folder");
        refused(Cli.run("run", job().toString(), "--db", "jdbc:h2:" + file.resolve("db")), file + " is a file, not a folder");
        assertEquals("a,b\n", Files.readString(file), "left as it was");
    }

    @Test
    void aFolderTheSystemWillNotMakeSaysWhy() throws Exception {
        String why = "/proc takes no new files (a system folder such as /proc or /sys)";
        refused(Cli.run("run", job().toString(), "--sandbox", "/proc/mailroom-x", "--db", "jdbc:h2:" + dir.resolve("jobs")),
                "cannot make the folder /proc/mailroom-x: " + why);
        refused(Cli.run("preview", job().toString(), "--output", "/proc/mailroom-x"), "cannot make the folder /proc/mailroom-x: " + why);
        refused(Cli.run("run", job().toString(), "--db", "jdbc:h2:/proc/mailroom-x/db"), "cannot make the folder /proc/mailroom-x: " + why);
        refused(Cli.run("run", job().toString(), "--db", "jdbc:h2:/proc/mailroom-x"), "cannot make the database file /proc/mailroom-x.mv.db: " + why);
        assertFalse(Files.exists(Path.of("/proc/mailroom-x")));
    }
}
