package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.JobDir;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A template whose header block says {@code Content-Type: text/markdown} is sent as its Markdown (text/plain)
 * and CommonMark's HTML of it; CSV values stay literal text in both. Checked on what GreenMail received.
 */
class MarkdownBodyTest extends AgainstGreenMail {
    private static final String TEMPLATE = """
            From: Team <team@example.com>
            To: <${email}>
            Content-Type: text/markdown
            Subject: Welcome, ${name}

            # Welcome, ${name}!

            Your plan is **${plan}**. [Read the guide](https://example.com/guide?u=${id}).

            1. Sign in
            2. Say hello

            ![our logo](cid:logo.png)
            """;
    private JobDir job(String csv) throws Exception {
        return greenMailJob()
                .file("message.ftl", TEMPLATE).bytes("logo.png", InlineImagesTest.bytes(2000, 7)).csv(csv);
    }

    @Test
    void theMarkdownIsTheTextPartAndCommonMarksHtmlTheAlternativeWithItsImageInline() throws Exception {
        Path jobFile = job("email,name,plan,id\nann@example.com,Ann,Pro,42\n").write();
        Cli.Result run = mailroom("run", jobFile.toString());
        assertEquals(0, run.exit(), run.all());

        MimeMessage got = server.received().get(0);
        assertMarkdownMessage(got, dir.resolve("job"));
        assertEquals("Welcome, Ann", got.getSubject());
        assertTrue(Collections.list(got.getAllHeaderLines()).stream().noneMatch(l -> l.toLowerCase().contains("text/markdown")),
                "the Content-Type line says what the body is; it is no header of the message");
    }

    static void assertMarkdownMessage(MimeMessage got, Path folder) throws Exception {
        assertTrue(got.isMimeType("multipart/alternative"), got.getContentType());
        Multipart alternative = (Multipart) got.getContent();
        assertTrue(alternative.getBodyPart(0).isMimeType("text/plain"));
        assertEquals("""
                # Welcome, Ann!

                Your plan is **Pro**. [Read the guide](https://example.com/guide?u=42).

                1. Sign in
                2. Say hello

                ![our logo](cid:logo.png)
                """.replace("\n", "\r\n"), alternative.getBodyPart(0).getContent());
        assertTrue(alternative.getBodyPart(1).isMimeType("multipart/related"), alternative.getBodyPart(1).getContentType());
        Multipart related = (Multipart) alternative.getBodyPart(1).getContent();
        String html = (String) related.getBodyPart(0).getContent();
        assertTrue(html.contains("<meta charset=\"utf-8\">"), html);
        assertTrue(html.contains("<h1>Welcome, Ann!</h1>"), html);
        assertTrue(html.contains("<p>Your plan is <strong>Pro</strong>. <a rel=\"nofollow\" href=\"https://example.com/guide?u=42\">Read the guide</a>.</p>"), html);
        assertTrue(html.contains("<ol>\r\n<li>Sign in</li>\r\n<li>Say hello</li>\r\n</ol>"), html);
        MimeBodyPart logo = (MimeBodyPart) related.getBodyPart(1);
        assertTrue(html.contains("<img src=\"cid:" + logo.getContentID().replaceAll("[<>]", "") + "\" alt=\"our logo\" />"), logo.getContentID() + " in " + html);
        assertArrayEquals(Files.readAllBytes(folder.resolve("logo.png")), logo.getInputStream().readAllBytes());
    }

    @Test
    void valuesThatHoldHtmlOrMarkdownAppearLiterallyInTheHtml() throws Exception {
        String name = "<script>alert(1)</script>";
        String plan = "** [x](javascript:alert(1)) ![i](cid:../secret.png)";
        String id = "1) \"><img src=x onerror=alert(1)>";
        Path jobFile = job("email,name,plan,id\nann@example.com,\"" + name + "\",\"" + plan + "\",\"" + id.replace("\"", "\"\"") + "\"\n").write();
        Cli.Result run = mailroom("run", jobFile.toString());
        assertEquals(0, run.exit(), run.all());

        Multipart alternative = (Multipart) server.received().get(0).getContent();
        String text = (String) alternative.getBodyPart(0).getContent();
        assertTrue(text.startsWith("# Welcome, " + name + "!\r\n\r\nYour plan is **" + plan + "**. [Read the guide](https://example.com/guide?u=" + id + ")."), text);
        Multipart related = (Multipart) alternative.getBodyPart(1).getContent();
        assertEquals(2, related.getCount(), "the template's logo only: a cid: inside a value is text, not an image");
        String html = (String) related.getBodyPart(0).getContent();
        assertTrue(html.contains("<h1>Welcome, &lt;script&gt;alert(1)&lt;/script&gt;!</h1>"), html);
        assertTrue(html.contains("<strong>** [x](javascript:alert(1)) ![i](cid:../secret.png)</strong>"), html);
        assertTrue(html.contains("href=\"https://example.com/guide?u=1)%20%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E\""), html);
        assertFalse(html.contains("<script") || html.contains("href=\"javascript") || html.contains("onerror=alert(1)>"), html);
    }

    @Test
    void aValueThatReadsLikeASrcAttributeIsTextAndPullsInNoFile() throws Exception {
        Path jobFile = job("email,name,plan,id\nann@example.com,Ann,src=cid:key.pem,42\n").file("key.pem", "PRIVATE KEY").write();
        Cli.Result run = mailroom("run", jobFile.toString());
        assertEquals(0, run.exit(), run.all());

        Multipart related = (Multipart) ((Multipart) server.received().get(0).getContent()).getBodyPart(1).getContent();
        assertEquals(2, related.getCount(), "the HTML and the template's logo only");
        assertTrue(((String) related.getBodyPart(0).getContent()).contains("<strong>src=cid:key.pem</strong>"));
    }

    @Test
    void aMarkdownTemplateWithTemplateHtmlTooIsRefusedWith65() throws Exception {
        Path jobFile = job("email,name,plan,id\nann@example.com,Ann,Pro,42\n").file("message.html.ftl", "<p>Hi</p>")
                .set("template.html", "message.html.ftl").write();
        Cli.Result run = mailroom("run", jobFile.toString());
        assertEquals(65, run.exit(), run.all());
        assertTrue(run.err().contains("message.ftl: its header block says Content-Type: text/markdown, so its HTML part is made from the Markdown,"
                + " and the job also names template.html (message.html.ftl): two HTML bodies"), run.err());
        assertEquals(0, server.received().size());
    }

    @Test
    void anotherContentTypeIsRefusedWith65AndTheReasonNamesTextMarkdown() throws Exception {
        Path jobFile = job("email,name,plan,id\nann@example.com,Ann,Pro,42\n")
                .file("message.ftl", TEMPLATE.replace("Content-Type: text/markdown", "Content-Type: text/html")).write();
        Cli.Result run = mailroom("run", jobFile.toString());
        assertEquals(65, run.exit(), run.all());
        assertTrue(run.err().contains("header Content-Type is written by mailroom; remove it from the template (the one it may say is text/markdown"),
                run.err());
    }

    @Test
    void previewWritesTheSameStructure() throws Exception {
        Path jobFile = job("email,name,plan,id\nann@example.com,Ann,Pro,42\n").write();
        Path out = dir.resolve("preview");
        Cli.Result preview = Cli.run("preview", jobFile.toString(), "--output", out.toString());
        assertEquals(0, preview.exit(), preview.all());
        List<Path> emls;
        try (Stream<Path> files = Files.list(out)) {
            emls = files.toList();
        }
        assertEquals(1, emls.size(), emls.toString());
        try (InputStream in = Files.newInputStream(emls.get(0))) {
            assertMarkdownMessage(new MimeMessage(Session.getInstance(new Properties()), in), dir.resolve("job"));
        }
    }
}
