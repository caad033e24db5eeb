package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.JobDir;
import io.mailroom.testing.ScriptedSmtpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database file that is cut short, overwritten or not H2 at all: run, resume, status and report each say so in
 * one line naming the file and what to do, exit 66, and send nothing. H2 itself would open such a file at an
 * older state without a word (a job's sent recipients pending again), so the file must be refused before H2
 * writes to it: where that is checked, the test also proves the file is left as it was.
 */
class DamagedDatabaseTest {
    private static final int BLOCK = 4096;

    @TempDir
    Path dir;
    ScriptedSmtpServer server;
    String db;
    Path file;
    Path jobFile;
    byte[] attachment;

    @BeforeEach
    void setUp() throws Exception {
        server = new ScriptedSmtpServer();
        db = "jdbc:h2:" + dir.resolve("jobs").toAbsolutePath();
        file = dir.resolve("jobs.mv.db").toAbsolutePath();
        attachment = new byte[64 * 1024];
        new Random(7).nextBytes(attachment);
        jobFile = new JobDir(dir.resolve("job")).numberedRecipients(4).smtp("127.0.0.1", server.port(), "none")
                .file("message.ftl", JobDir.TEMPLATE.replace("Subject:", "Attachment: data.bin\nSubject:")).bytes("data.bin", attachment).write();
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
    }

    @Test
    void aTruncatedFileIsRefusedByEveryCommandAndLeftAsItWas() throws Exception {
        sendAll();
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(whole, whole.length / 2));
        everyCommandRefuses("truncated or overwritten");

        // cut to its two headers, H2 would open it as an empty database, and run would send everyone again
        Files.write(file, Arrays.copyOf(whole, 2 * BLOCK + 100));
        everyCommandRefuses("truncated or overwritten");
    }

    @Test
    void aFileWhoseNewestRecordsAreOverwrittenIsRefused() throws Exception {
        sendAll();
        byte[] bytes = Files.readAllBytes(file);
        int newest = Integer.parseInt(header(bytes).replaceAll(".*\\bblock:([0-9a-f]+),.*", "$1"), 16);
        garble(bytes, newest * BLOCK, 2 * BLOCK);
        Files.write(file, bytes);
        everyCommandRefuses("truncated or overwritten");
    }

    @Test
    void aFileThatIsNotAnH2DatabaseIsRefused() throws Exception {
        Files.writeString(file, "email,first_name\nann@example.com,Ann\n");
        everyCommandRefuses("not an H2 database");
        byte[] noise = new byte[64 * 1024];
        new Random(3).nextBytes(noise);
        Files.write(file, noise);
        everyCommandRefuses("its header is not an H2 header");
        Files.write(file, new byte[0]);
        everyCommandRefuses("it is empty");
    }

    /**
     * Damage inside a page, which H2 finds only when a command reads that page: it fails the command with a
     * "general error" whose cause says the file is corrupted, after the file was opened and checked. Each
     * command still gets the same line and nothing more is sent.
     */
    @Test
    void aDamagedPageFoundWhileReadingStopsEveryCommandBeforeAnythingMoreIsSent() throws Exception {
        Cli.Result first = mailroom("run", jobFile.toString(), "--limit", "1");
        assertEquals(75, first.exit(), first.all());
        assertEquals(1, server.received().size());
        byte[] bytes = Files.readAllBytes(file);
        // the attachment is stored as one value in one page: its bytes follow the page's header, whose check value this garbles
        int content = indexOf(bytes, Arrays.copyOf(attachment, 64));
        assertTrue(content > 0, "the attachment is stored in one piece");
        garble(bytes, content - 10, 10);
        Files.write(file, bytes);

        for (String[] command : List.of(new String[] {"resume", "test-job"}, new String[] {"run", jobFile.toString()},
                new String[] {"status", "test-job"}, new String[] {"report", "test-job"})) {
            assertRefused(mailroom(command), "H2 found a damaged page");
        }
        assertEquals(1, server.received().size(), "nothing more was sent");
    }

    private void sendAll() {
        Cli.Result run = mailroom("run", jobFile.toString());
        assertEquals(0, run.exit(), run.all());
        assertEquals(4, server.received().size());
    }

    private void everyCommandRefuses(String why) throws Exception {
        byte[] before = Files.readAllBytes(file);
        int received = server.received().size();
        for (String[] command : List.of(new String[] {"run", jobFile.toString()}, new String[] {"resume", "test-job"}, new String[] {"status"},
                new String[] {"status", "test-job"}, new String[] {"report", "test-job"})) {
            assertRefused(mailroom(command), why);
        }
        assertEquals(received, server.received().size(), "nothing was sent");
        assertArrayEquals(before, Files.readAllBytes(file), "the damaged file is left as it was, for a recovery tool");
    }

    private void assertRefused(Cli.Result r, String why) {
        assertEquals(66, r.exit(), r.all());
        String line = r.err().strip();
        assertFalse(line.contains("\n"), "one line: " + line);
        assertTrue(line.contains(file.toString()) && line.contains(why) && line.contains("Restore it from a backup")
                && line.contains("--db or MAILROOM_DB"), line);
        assertFalse(line.contains("please report"), line);
    }

    private Cli.Result mailroom(String... args) {
        return Cli.run(Cli.withDb(db, args));
    }

    /** The store header H2 writes at the start of the file: "H:2,block:…,chunk:…,version:…". */
    private static String header(byte[] bytes) {
        return new String(bytes, 0, 256, StandardCharsets.ISO_8859_1).split("\n")[0];
    }

    private static int indexOf(byte[] bytes, byte[] part) {
        for (int i = 0; i + part.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) return i;
        }
        return -1;
    }

    private static void garble(byte[] bytes, int from, int length) {
        byte[] noise = new byte[length];
        new Random(from).nextBytes(noise);
        System.arraycopy(noise, 0, bytes, from, Math.min(length, bytes.length - from));
    }
}
