package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.JobDir;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * An HTML body's {@code <img src="cid:…">} naming a file beside the template arrives as a part of a
 * multipart/related beside the HTML, on the bytes GreenMail received, parsed by Jakarta Mail.
 */
class InlineImagesTest extends AgainstGreenMail {
    private static final Pattern CID_SRC = Pattern.compile("src=\"cid:([^\"]*)\"");
    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private JobDir job(String text, String html) throws Exception {
        return greenMailJob()
                .set("template.html", "message.html.ftl").file("message.ftl", text).file("message.html.ftl", html)
                .bytes("logo.png", bytes(3000, 1)).bytes("img/photo 1.jpg", bytes(5000, 2));
    }

    private static final String TEXT = "From: Team <team@example.com>\nTo: <${email}>\nSubject: Hi\n<#if file?has_content>Attachment: ${file}</#if>\n\nHello\n";
    private static final String HTML = "<p>Hello</p><img alt=\"logo\" src=\"cid:logo.png\"><IMG SRC='CID:img/photo%201.jpg'><img src=\"cid:./logo.png\">\n";

    @Test
    void cidImagesArriveAsOneRelatedPartEachWhoseContentIdTheHtmlNames() throws Exception {
        Path jobFile = job(TEXT, HTML).csv("email,file\nann@example.com,\n").write();
        Cli.Result run = mailroom("run", jobFile.toString());
        assertEquals(0, run.exit(), run.all());

        MimeMessage got = server.received().get(0);
        assertTrue(got.isMimeType("multipart/alternative"), got.getContentType());
        Multipart alternative = (Multipart) got.getContent();
        assertEquals("Hello\r\n", alternative.getBodyPart(0).getContent());
        assertRelated(alternative.getBodyPart(1), dir.resolve("job"));
    }

    @Test
    void withAttachmentsTheRelatedPartSitsInTheAlternativeInsideMixed() throws Exception {
        Path jobFile = job(TEXT, HTML).file("terms.txt", "terms\n").csv("email,file\nann@example.com,terms.txt\n").write();
        Cli.Result run = mailroom("run", jobFile.toString());
        assertEquals(0, run.exit(), run.all());

        MimeMessage got = server.received().get(0);
        assertTrue(got.isMimeType("multipart/mixed"), got.getContentType());
        Multipart mixed = (Multipart) got.getContent();
        assertEquals(2, mixed.getCount());
        Multipart alternative = (Multipart) mixed.getBodyPart(0).getContent();
        assertTrue(mixed.getBodyPart(0).isMimeType("multipart/alternative"));
        assertRelated(alternative.getBodyPart(1), dir.resolve("job"));
        assertEquals(Part.ATTACHMENT, mixed.getBodyPart(1).getDisposition());
        assertEquals("terms.txt", mixed.getBodyPart(1).getFileName());
    }

    /** The HTML and its two images (logo.png named twice, as "logo.png" and "./logo.png"), each src matching a part's Content-ID. */
    static void assertRelated(BodyPart part, Path folder) throws Exception {
        assertTrue(part.isMimeType("multipart/related"), part.getContentType());
        assertEquals("text/html", new ContentType(part.getContentType()).getParameter("type"));
        Multipart related = (Multipart) part.getContent();
        assertEquals(3, related.getCount(), "the HTML, then one part per file however often it is shown");
        assertTrue(related.getBodyPart(0).isMimeType("text/html"));
        String html = (String) related.getBodyPart(0).getContent();
        List<String> cids = new ArrayList<>();
        Matcher m = CID_SRC.matcher(html);
        while (m.find()) cids.add(m.group(1));
        assertEquals(3, cids.size(), html);
        assertEquals(cids.get(0), cids.get(2), "one image, one Content-ID: " + html);
        Map<String, String> files = Map.of(cids.get(0), "logo.png", cids.get(1), "img/photo 1.jpg");
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 1; i < related.getCount(); i++) {
            MimeBodyPart image = (MimeBodyPart) related.getBodyPart(i);
            String id = image.getContentID();
            assertTrue(id.matches("<[A-Za-z0-9_.-]+@example\\.com>"), "a valid msg-id: " + id);
            String file = files.get(id.substring(1, id.length() - 1));
            assertTrue(file != null, id + " is what the HTML's src names: " + cids);
            seen.add(file);
            assertEquals(Part.INLINE, image.getDisposition());
            assertEquals("base64", image.getEncoding());
            assertTrue(image.isMimeType(file.endsWith(".png") ? "image/png" : "image/jpeg"), image.getContentType());
            assertArrayEquals(Files.readAllBytes(folder.resolve(file)), image.getInputStream().readAllBytes(), file);
        }
        assertEquals(Set.of("logo.png", "img/photo 1.jpg"), seen);
    }

    @Test
    void aMissingImageOrOneOutsideTheTemplatesFolderSkipsItsRowWithTheReason() throws Exception {
        Path secret = Files.write(dir.resolve("secret.png"), bytes(100, 3));
        String html = "<p>Hi</p><img src=\"cid:${logo}\">";
        JobDir job = job(TEXT, html);
        Files.createSymbolicLink(job.dir().resolve("link.png"), secret);
        Path jobFile = job.set("recipients.key", "email").csv("email,file,logo\n"
                + "good@example.com,,logo.png\n"
                + "missing@example.com,,nowhere.png\n"
                + "climbs@example.com,,../secret.png\n"
                + "absolute@example.com,," + secret + "\n"
                + "linked@example.com,,link.png\n"
                + "quoted@example.com,,\"logo.png\"\" onerror=\"\"x\"\n").write();

        Cli.Result dry = mailroom("run", jobFile.toString(), "--dry-run");
        assertEquals(1, dry.exit(), dry.all());
        Cli.Result run = mailroom("run", jobFile.toString());
        assertEquals(1, run.exit(), run.all());
        assertEquals(List.of("good@example.com"), server.received().stream().map(InlineImagesTest::to).toList());
        String err = run.err();
        assertTrue(err.contains("(missing@example.com): skipped: Inline image (cid:): \"nowhere.png\" not found in the template's folder"), err);
        assertTrue(err.contains("(climbs@example.com): skipped: Inline image (cid:): \"../secret.png\" contains \"..\"; it must be a file inside"
                + " the template's folder, named relative to it"), err);
        assertTrue(err.contains("(absolute@example.com): skipped: Inline image (cid:): \"" + secret + "\" is an absolute path"), err);
        assertTrue(err.contains("(linked@example.com): skipped: Inline image (cid:): \"link.png\" leads outside the template's folder"), err);
        assertTrue(err.contains("(quoted@example.com): skipped: Inline image (cid:): \"logo.png\" onerror=\"x\" not found"), err);
        for (String row : List.of("missing", "climbs", "absolute", "linked", "quoted")) {
            assertTrue(dry.err().contains("(" + row + "@example.com): skipped: Inline image"), "a dry run finds it too: " + dry.err());
        }
        assertEquals(List.of("logo.png"), storedFiles(), "nothing from outside is kept in the database");
    }

    @Test
    void anImageComesFromTheJobsSnapshotOnResumeAfterTheFileIsGone() throws Exception {
        JobDir job = job(TEXT, HTML);
        Path jobFile = job.csv("email,file\nann@example.com,\nbob@example.com,\n").write();
        Cli.Result first = mailroom("run", jobFile.toString(), "--limit", "1");
        assertEquals(75, first.exit(), first.all());
        Path kept = Files.createDirectories(dir.resolve("kept/img"));
        Files.move(job.dir().resolve("logo.png"), kept.resolve("../logo.png"));
        Files.move(job.dir().resolve("img/photo 1.jpg"), kept.resolve("photo 1.jpg"));

        Cli.Result resume = mailroom("resume", "test-job");
        assertEquals(0, resume.exit(), resume.all());
        List<MimeMessage> got = server.received();
        assertEquals(List.of("ann@example.com", "bob@example.com"), got.stream().map(InlineImagesTest::to).toList());
        assertRelated(((Multipart) got.get(1).getContent()).getBodyPart(1), kept.getParent());
    }

    @Test
    void imagesCountTowardTheMessagesSize() throws Exception {
        Path jobFile = job(TEXT, "<p>Hi</p><img src=\"cid:${logo}\">").set("message.max-size", "8KB").bytes("big.png", bytes(9000, 4))
                .csv("email,file,logo\nsmall@example.com,,logo.png\nbig@example.com,,big.png\n").write();
        Cli.Result dry = mailroom("run", jobFile.toString(), "--dry-run");
        assertTrue(dry.err().contains("(big@example.com): skipped: the message is "), "planning counts the image, as a dry run shows: " + dry.err());
        Cli.Result run = mailroom("run", jobFile.toString());
        assertEquals(1, run.exit(), run.all());
        assertEquals(List.of("small@example.com"), server.received().stream().map(InlineImagesTest::to).toList());
        assertTrue(run.err().contains("(big@example.com): skipped: the message is ") && run.err().contains("over message.max-size=8 KB"), run.err());
    }

    @Test
    void aValueThatReadsLikeASrcAttributeInTheHtmlsTextIsTextAndPullsInNoFile() throws Exception {
        // the job's folder often holds what must never go out: the DKIM key, the CSV itself
        JobDir job = job(TEXT, "<p>Hello ${note}</p><img alt=\"${note}\" src=\"cid:logo.png\">").file("dkim.pem", "PRIVATE KEY");
        Path jobFile = job.csv("email,file,note\nann@example.com,,src=cid:dkim.pem src=cid:recipients.csv\n").write();
        Cli.Result run = mailroom("run", jobFile.toString());
        assertEquals(0, run.exit(), run.all());

        Multipart alternative = (Multipart) server.received().get(0).getContent();
        Multipart related = (Multipart) alternative.getBodyPart(1).getContent();
        assertEquals(2, related.getCount(), "the HTML and the template's logo, nothing a value named");
        String html = (String) related.getBodyPart(0).getContent();
        assertTrue(html.startsWith("<p>Hello src=cid:dkim.pem src=cid:recipients.csv</p><img alt=\"src=cid:dkim.pem src=cid:recipients.csv\" src=\"cid:"),
                html);
        assertEquals(List.of("logo.png"), storedFiles());
    }

    @Test
    void anHtmlWithoutCidReferencesIsPlainAlternativeAsBefore() throws Exception {
        Path jobFile = job(TEXT, "<p>No pictures, just <a href=\"https://example.com/logo.png\">a link</a> and data-src=\"cid:logo.png\"</p>")
                .csv("email,file\nann@example.com,\n").write();
        assertEquals(0, mailroom("run", jobFile.toString()).exit());
        Multipart alternative = (Multipart) server.received().get(0).getContent();
        assertTrue(alternative.getBodyPart(1).isMimeType("text/html"), alternative.getBodyPart(1).getContentType());
        assertNull(((MimeBodyPart) alternative.getBodyPart(1)).getContentID());
        assertFalse(storedFiles().contains("logo.png"));
    }

    static String to(MimeMessage m) {
        try {
            return m.getRecipients(Message.RecipientType.TO)[0].toString().replaceAll("[<>]", "");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> storedFiles() throws Exception {
        List<String> names = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(io.mailroom.store.Store.killSafe(db), "", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT name FROM job_files WHERE kind = 'attachment' ORDER BY name")) {
            while (rs.next()) names.add(rs.getString(1));
        }
        return names;
    }
}
