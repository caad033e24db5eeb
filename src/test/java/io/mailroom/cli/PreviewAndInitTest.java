package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.JobDir;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreviewAndInitTest {
    @TempDir
    Path dir;

    private static List<Path> emls(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> p.toString().endsWith(".eml")).sorted().toList();
        }
    }

    private static MimeMessage parse(Path eml) throws Exception {
        try (InputStream in = Files.newInputStream(eml)) {
            return new MimeMessage(Session.getInstance(new Properties()), in);
        }
    }

    @Test
    void previewWritesParseableMessagesWithoutDatabaseOrNetwork() throws Exception {
        Path out = dir.resolve("preview");
        Cli.Result r = Cli.run("preview", Path.of("samples/welcome/welcome.job").toAbsolutePath().toString(), "--output", out.toString(), "--limit", "3");
        assertEquals(0, r.exit(), r.all());
        List<Path> files = emls(out);
        assertEquals(List.of("000002-ann@example.com.eml", "000003-jose@example.com.eml", "000004-wang.fang@example.com.eml"),
                files.stream().map(p -> p.getFileName().toString()).toList());
        MimeMessage jose = parse(files.get(1));
        assertEquals("Welcome, José!", jose.getSubject());
        assertTrue(jose.isMimeType("multipart/mixed"));
    }

    @Test
    void previewRefusesATemplateMistakeEveryRowWouldMeetAsRunDoesWritingNothing() throws Exception {
        Path job = new JobDir(dir.resolve("job")).numberedRecipients(2).smtp("smtp.example.com", 587, "starttls")
                .file("message.ftl", JobDir.TEMPLATE.replace("${first_name}", "${frist_name}")).write();
        Path out = dir.resolve("preview");

        Cli.Result r = Cli.run("preview", job.toString(), "--output", out.toString());

        assertEquals(65, r.exit(), r.all());
        assertTrue(r.err().contains("${frist_name} is not a column of recipients.csv (columns: email, first_name, n); did you mean first_name?"), r.err());
        assertFalse(Files.exists(out) && !emls(out).isEmpty(), "nothing written");
    }

    @Test
    void initWritesAStarterJobThatRunsAsIsInTheSandbox() throws Exception {
        Path starter = dir.resolve("spring news");
        Cli.Result init = Cli.run("init", starter.toString());
        assertEquals(0, init.exit(), init.all());
        String job = Files.readString(starter.resolve("starter.job"));
        assertTrue(job.contains("smtp.port=587") && job.contains("# smtp.port=465") && job.contains("# smtp.security=none"), job);
        assertTrue(job.contains("\nname=spring-news\n"), "named after its folder, so two starters are two jobs: " + job);

        Path outbox = dir.resolve("outbox");
        Cli.Result run = Cli.run("run", starter.resolve("starter.job").toString(), "--sandbox", outbox.toString(),
                "--db", "jdbc:h2:" + dir.resolve("db").toAbsolutePath());
        assertEquals(0, run.exit(), run.all());
        assertTrue(run.out().contains("spring-news: 2 row(s) read"), run.out());
        List<Path> sent = emls(outbox);
        assertEquals(2, sent.size());
        assertEquals("Hello Bob Müller", parse(sent.get(1)).getSubject());

        assertEquals(64, Cli.run("init", starter.toString()).exit(), "init never overwrites");
    }

    private static String jobName(Path starter) throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\nname=(.*)\n").matcher(Files.readString(starter.resolve("starter.job")));
        assertTrue(m.find());
        return m.group(1);
    }

    @Test
    void initOfFoldersWhoseNamesAreNoJobNamesGivesEachAJobOfItsOwn() throws Exception {
        assertEquals(0, Cli.run("init", dir.resolve("日本語").toString()).exit());
        assertEquals(0, Cli.run("init", dir.resolve("中文").toString()).exit());
        assertEquals(0, Cli.run("init", dir.resolve("news 中文").toString()).exit());
        String japanese = jobName(dir.resolve("日本語")), chinese = jobName(dir.resolve("中文"));

        assertTrue(japanese.matches("starter-[0-9a-f]{6}") && chinese.matches("starter-[0-9a-f]{6}"), japanese + " " + chinese);
        assertTrue(!japanese.equals(chinese), "two folders, two jobs: " + japanese);
        assertTrue(jobName(dir.resolve("news 中文")).matches("news-[0-9a-f]{6}"), "what is left of the name, then the folder's digits");
    }

    @Test
    void initQuotesAPathWithSpacesOrShellCharactersInTheCommandItSuggests() throws Exception {
        Path starter = dir.resolve("my news!");
        Cli.Result init = Cli.run("init", starter.toString());
        assertEquals(0, init.exit(), init.all());
        assertTrue(init.out().contains("try: mailroom run '" + starter.resolve("starter.job") + "' --sandbox '" + starter.resolve("outbox") + "'\n"),
                init.out());

        Path plain = dir.resolve("plain");
        assertTrue(Cli.run("init", plain.toString()).out().contains("try: mailroom run " + plain.resolve("starter.job") + " --sandbox "), "no quotes needed");
    }
}
