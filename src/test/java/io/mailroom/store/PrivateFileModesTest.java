package io.mailroom.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files mailroom makes private, and which it must leave alone. */
class PrivateFileModesTest {
    @TempDir
    Path dir;

    private final List<String> notes = new ArrayList<>();

    @Test
    void onlyPlainH2FileUrlsNameAFile() {
        assertEquals(dir.resolve("jobs"), PrivateFiles.h2File("jdbc:h2:" + dir + "/./sub/../jobs;AUTO_SERVER=TRUE"));
        assertEquals(dir.resolve("jobs"), PrivateFiles.h2File("jdbc:h2:file:" + dir + "/jobs"));
        assertEquals(Path.of(System.getProperty("user.home"), "jobs"), PrivateFiles.h2File("jdbc:h2:~/jobs"));
        for (String other : List.of("jdbc:h2:mem:jobs", "jdbc:h2:tcp://host/~/jobs", "jdbc:h2:split:/x/jobs", "jdbc:postgresql://h/db")) {
            assertNull(PrivateFiles.h2File(other), other);
        }
    }

    @Test
    void aDatabaseInAFolderOfOtherFilesTightensOnlyItsOwnFiles() throws Exception {
        Path csv = Files.writeString(dir.resolve("recipients.csv"), "email\n");
        Path trace = Files.writeString(dir.resolve("recipients.trace.db"), "");
        Files.setPosixFilePermissions(csv, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(trace, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));

        PrivateFiles.database("jdbc:h2:" + dir.resolve("recipients"), notes::add);

        assertEquals("rw-r--r--", mode(csv), "not the database's, though its name starts the same");
        assertEquals("rwxr-xr-x", mode(dir), "a folder of other things is the user's to set");
        assertEquals("rw-------", mode(trace));
        assertEquals("rw-------", mode(dir.resolve("recipients.mv.db")), "created private before H2 opens it");
    }

    @Test
    void aFolderTheUserNamedIsKeptAsItIsWithAWarning() throws Exception {
        Path named = Files.createDirectory(dir.resolve("out"));
        Files.setPosixFilePermissions(named, PosixFilePermissions.fromString("rwxr-xr-x"));
        PrivateFiles.folder(named, notes::add);
        assertEquals("rwxr-xr-x", mode(named));
        assertTrue(notes.get(0).startsWith("warning: " + named + " is rwxr-xr-x"), notes.toString());
        assertEquals("rwx------", mode(PrivateFiles.folder(dir.resolve("new/inner"), notes::add)));
        assertEquals("rwx------", mode(dir.resolve("new")));
    }

    @Test
    void aSymbolicLinkIsWrittenThroughButItsTargetsModeIsNotChanged() throws Exception {
        Path target = Files.writeString(Files.createDirectory(dir.resolve("elsewhere")).resolve("shared.txt"), "x");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
        Path link = Files.createSymbolicLink(dir.resolve("report.csv"), target);
        try (OutputStream out = PrivateFiles.create(link, notes::add)) {
            out.write('y');
        }
        assertEquals("rw-r--r--", mode(target));
        assertEquals("y", Files.readString(target));
        try (OutputStream out = PrivateFiles.create(dir.resolve("new.csv"), notes::add)) {
            out.write('z');
        }
        assertEquals("rw-------", mode(dir.resolve("new.csv")));
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
