package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.JobDir;
import io.mailroom.testing.ScriptedSmtpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** report --bom leads a CSV report with a UTF-8 byte order mark, for spreadsheets; other formats refuse it. */
class ReportBomTest {
    private static final byte[] BOM = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf};

    @TempDir
    Path dir;
    String db;

    @BeforeEach
    void sendTwo() throws Exception {
        db = "jdbc:h2:" + dir.resolve("db").toAbsolutePath();
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            Path job = new JobDir(dir.resolve("job")).numberedRecipients(2).smtp("127.0.0.1", server.port(), "none").write();
            assertEquals(0, mailroom("run", job.toString()).exit());
        }
    }

    private Cli.Result mailroom(String... args) {
        return Cli.run(Map.of(), Cli.withDb(db, args));
    }

    @Test
    void aCsvReportWithBomIsTheSameReportLedByTheThreeBytes() throws Exception {
        String plain = mailroom("report", "test-job", "--format", "csv").out();
        assertEquals("\uFEFF" + plain, mailroom("report", "test-job", "--format", "csv", "--bom").out());
        Path file = dir.resolve("report.csv");
        Cli.Result written = mailroom("report", "test-job", "--bom", "--output", file.toString());
        assertEquals(0, written.exit(), written.all());
        byte[] bytes = Files.readAllBytes(file);
        assertArrayEquals(BOM, Arrays.copyOf(bytes, 3), "the format comes from the file's extension");
        assertEquals(plain, new String(bytes, 3, bytes.length - 3, StandardCharsets.UTF_8));
        assertTrue(plain.startsWith("\"row\",\"key\","), "no BOM without --bom: " + plain);
    }

    @Test
    void bomWithAnotherFormatIsAUsageErrorThatSaysItIsForCsv() {
        for (String format : new String[] {"json", "html", "text"}) {
            Cli.Result r = mailroom("report", "test-job", "--format", format, "--bom");
            assertEquals(64, r.exit(), r.all());
            assertTrue(r.err().contains("--bom is for the CSV report (--format csv or an --output file ending in .csv), not " + format + "; leave it out"),
                    r.err());
            assertEquals("", r.out());
        }
    }
}
