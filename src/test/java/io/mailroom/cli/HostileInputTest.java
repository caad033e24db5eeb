package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.JobDir;
import io.mailroom.testing.ScriptedSmtpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A CSV from someone else can't reach the host: values that try to attach files from outside the
 * template's folder, or that make one row cost without bound, skip that row with a reason; the good rows
 * are sent, and a dry run finds exactly the rows a run would skip.
 */
class HostileInputTest extends AgainstScriptedServer {
    private static final String SECRET = "TOP-SECRET-a8f3e1";

    @Test
    void attachmentNamesFromDataCannotLeaveTheTemplatesFolder() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), SECRET);
        JobDir job = new JobDir(dir.resolve("job")).smtp("127.0.0.1", server.port(), "none").set("recipients.key", "id")
                .set("attachment.max-size", "2KB")
                .file("message.ftl", "From: Team <team@example.com>\nTo: <${email}>\nSubject: s\nAttachment: ${file}\n\nHello\n")
                .file("files/ok.txt", "fine").file("files/sub/inner.txt", "x").bytes("files/big.bin", new byte[3000]);
        Files.createSymbolicLink(job.dir().resolve("files/link.txt"), secret);
        Files.createSymbolicLink(job.dir().resolve("files/rootdir"), Path.of("/"));
        List<String> bad = List.of("..\\secret.txt", "files\\..\\..\\secret.txt", "../secret.txt", "files/../../secret.txt", secret.toString(),
                "files/link.txt", "files/rootdir" + secret, "files/sub", "files/big.bin", "/proc/self/environ");
        StringBuilder csv = new StringBuilder("id,email,file\ngood1,good1@example.com,files/ok.txt\n");
        for (int i = 0; i < bad.size(); i++) csv.append("bad").append(i).append(",bad").append(i).append("@example.com,\"").append(bad.get(i)).append("\"\n");
        csv.append("good2,good2@example.com,./files//ok.txt\n");
        Path jobFile = job.csv(csv.toString()).write();

        Cli.Result dry = mailroom("run", jobFile.toString(), "--dry-run");
        assertEquals(1, dry.exit(), dry.all());
        for (int i = 0; i < bad.size(); i++) assertTrue(dry.err().contains("(bad" + i + "): skipped: Attachment"), "bad" + i + ": " + dry.err());

        Cli.Result run = mailroom("run", jobFile.toString());
        assertEquals(1, run.exit(), run.all());
        assertEquals(List.of("good1@example.com", "good2@example.com"), server.received().stream().map(r -> r.recipients().get(0)).toList());
        String encodedSecret = Base64.getEncoder().encodeToString(SECRET.getBytes(StandardCharsets.US_ASCII));
        for (ScriptedSmtpServer.Received r : server.received()) {
            assertFalse(r.content().contains(SECRET) || r.content().contains(encodedSecret.substring(0, 12)), r.content());
        }
        assertEquals(List.of("files/ok.txt"), storedAttachments(), "nothing from outside is kept in the database either");
        String report = mailroom("report", "test-job", "--format", "json").out();
        assertEquals(bad.size(), count(report, "\"status\": \"skipped\""), report);
        assertTrue(report.contains("\\\" contains '\\\\'") && report.contains("leads outside the template's folder")
                && report.contains("is a folder") && report.contains("over attachment.max-size=2 KB"), report);
    }

    @Test
    void aRowThatWouldCostWithoutBoundIsSkippedAndTheGoodRowsAreSent() throws Exception {
        String template = """
                From: Team <team@example.com>
                To: ${to}
                Subject: ${subject}

                <#macro deeper n><@deeper n + 1/></#macro><#if mode == "loop"><#list 1..n?number as i></#list><#elseif mode == "write"><#list 1..n?number as i>${i} </#list><#elseif mode == "recurse"><@deeper 1/></#if>Hello
                """;
        String label = "a".repeat(60);
        String longDomain = (label + ".").repeat(4) + "example.com";
        List<String> bad = List.of(
                "loop,loop@example.com,Hi,loop,1000000000000",
                "write,write@example.com,Hi,write,1000000000",
                "recurse,recurse@example.com,Hi,recurse,0",
                "longto," + "a".repeat(5000) + "@example.com,Hi,none,0",
                "longpath," + "b".repeat(60) + "@" + longDomain + ",Hi,none,0",
                "longsubject,subject@example.com," + "x".repeat(5000) + ",none,0",
                "k".repeat(5000) + ",longkey@example.com,Hi,none,0",
                "\"two\nforged line\",twolines@example.com,Hi,none,0",
                "dots," + "a.".repeat(10000) + "a@example.com,Hi,none,0",
                "\u0130".repeat(600) + ",dotted-i@example.com,Hi,none,0");
        String csv = "id,to,subject,mode,n\ngood1,good1@example.com,Hi,none,0\n" + String.join("\n", bad) + "\ngood2,good2@example.com,Hi,none,0\n";
        Path jobFile = new JobDir(dir.resolve("job")).smtp("127.0.0.1", server.port(), "none").set("recipients.key", "id")
                .set("template.max-render-time", "1s").set("message.max-size", "64KB").file("message.ftl", template).csv(csv).write();

        Cli.Result dry = mailroom("run", jobFile.toString(), "--dry-run");
        assertEquals(1, dry.exit(), dry.all());
        List<Integer> dryRows = skippedRows(dry.err());
        assertEquals(List.of(3, 4, 5, 6, 7, 8, 9, 10, 11, 12), dryRows, dry.err());

        Cli.Result run = mailroom("run", jobFile.toString());
        assertEquals(1, run.exit(), run.all());
        assertEquals(dryRows, skippedRows(run.err()), "a dry run finds exactly what a run skips");
        assertEquals(List.of("good1@example.com", "good2@example.com"), server.received().stream().map(r -> r.recipients().get(0)).toList());
        String err = run.err();
        assertTrue(err.contains("took longer than 1000 ms") && err.contains("over 65536 characters") && err.contains("recursed too deeply")
                && err.contains("longer than the 254 octets RFC 5321 allows")
                && err.contains("Subject: a line of this header would be") && err.contains("is longer than 1000 characters"), err);
        assertTrue(err.lines().allMatch(l -> l.length() < 1200), "a reason quoting a long value is cut");
        assertTrue(err.contains("holds a line break; a key is one line") && err.lines().noneMatch(l -> l.startsWith("forged")), err);
        String report = mailroom("report", "test-job", "--format", "json").out();
        assertEquals(bad.size(), count(report, "\"status\": \"skipped\""), report);
    }

    @Test
    void theLongestRowIsTheJobsToSetAndALongerOneIsSkippedUnread() throws Exception {
        Path jobFile = new JobDir(dir.resolve("job")).smtp("127.0.0.1", server.port(), "none").set("recipients.max-row-size", "100")
                .csv("email,first_name,n\na@example.com,A,1\nb@example.com," + "B".repeat(100) + ",2\nc@example.com,C,3\n").write();
        Cli.Result dry = mailroom("run", jobFile.toString(), "--dry-run");
        assertEquals(1, dry.exit(), dry.all());
        assertEquals(List.of(3), skippedRows(dry.err()), dry.err());
        Cli.Result run = mailroom("run", jobFile.toString());
        assertEquals(1, run.exit(), run.all());
        assertTrue(run.err().contains("row 3 is longer than 100 characters"), run.err());
        assertEquals(List.of("a@example.com", "c@example.com"), server.received().stream().map(r -> r.recipients().get(0)).toList());
    }

    @Test
    void aPasswordTypedWherePasswordEnvNamesAVariableIsRefusedWithoutPrintingIt() throws Exception {
        Path jobFile = new JobDir(dir.resolve("job")).smtp("127.0.0.1", server.port(), "none").csv("email,first_name,n\na@example.com,A,1\n")
                .set("smtp.username", "team@example.com").set("smtp.password.env", "hunter2!Pa55").write();
        Cli.Result run = mailroom("run", jobFile.toString());
        assertEquals(78, run.exit(), run.all());
        assertTrue(run.err().contains("smtp.password.env must name an environment variable"), run.err());
        assertFalse(run.all().contains("hunter2"), run.all());
        assertTrue(server.received().isEmpty());
    }

    /** The row numbers the planner reported as skipped, in order. */
    private static List<String> skippedRowsAsText(String err) {
        List<String> rows = new ArrayList<>();
        Matcher m = Pattern.compile("recipients\\.csv row (\\d+) \\([^)]*\\): skipped").matcher(err);
        while (m.find()) rows.add(m.group(1));
        return rows;
    }

    private static List<Integer> skippedRows(String err) {
        return skippedRowsAsText(err).stream().map(Integer::valueOf).toList();
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) n++;
        return n;
    }

    private List<String> storedAttachments() throws Exception {
        List<String> names = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(io.mailroom.store.Store.killSafe(db), "", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT name FROM job_files WHERE kind = 'attachment' ORDER BY name")) {
            while (rs.next()) names.add(rs.getString(1));
        }
        return names;
    }
}
