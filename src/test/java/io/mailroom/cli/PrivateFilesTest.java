package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.Child;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What mailroom writes about recipients is its user's alone under the usual umask 022: the default
 * database folder and its files, sandbox and preview messages, a report file. Runs the real program.
 */
class PrivateFilesTest {
    private static final Path SAMPLE = Path.of("samples/welcome/welcome.job").toAbsolutePath();

    @TempDir
    Path dir;

    private String mailroom(String... args) throws Exception {
        Path log = Files.createTempFile(dir, "run", ".log");
        Process p = Child.startUnderUmask("022", dir, log, args);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished");
        assertTrue(p.exitValue() == 0, Files.readString(log));
        return Files.readString(log);
    }

    @Test
    void recipientDataIsWrittenPrivateWhateverTheUmask() throws Exception {
        mailroom("run", SAMPLE.toString(), "--sandbox", "out");
        mailroom("preview", SAMPLE.toString(), "--output", "preview");
        mailroom("report", "welcome-2026-11", "--format", "csv", "--output", "report.csv");

        for (String folder : List.of(".mailroom", "out", "preview")) {
            assertEquals("rwx------", mode(dir.resolve(folder)), folder);
            try (Stream<Path> files = Files.list(dir.resolve(folder))) {
                List<Path> all = files.toList();
                assertTrue(!all.isEmpty(), folder + " holds files");
                for (Path f : all) assertEquals("rw-------", mode(f), f.toString());
            }
        }
        assertEquals("rw-------", mode(dir.resolve("report.csv")));
    }

    @Test
    void aDatabaseFolderLeftOpenByAnEarlierVersionIsTightenedWithANote() throws Exception {
        mailroom("run", SAMPLE.toString(), "--sandbox", "out");
        Files.setPosixFilePermissions(dir.resolve(".mailroom"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dir.resolve(".mailroom/mailroom.mv.db"), PosixFilePermissions.fromString("rw-r--r--"));

        String out = mailroom("status");

        assertTrue(out.contains(".mailroom was rwxr-xr-x, readable by others; made rwx------"), out);
        assertTrue(out.contains("mailroom.mv.db was rw-r--r--, readable by others; made rw-------"), out);
        assertEquals("rwx------", mode(dir.resolve(".mailroom")));
        assertEquals("rw-------", mode(dir.resolve(".mailroom/mailroom.mv.db")));
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
