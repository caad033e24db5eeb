package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.DkimVerifier;
import io.mailroom.testing.JobDir;
import io.mailroom.testing.PostfixServer;
import io.mailroom.testing.TokenIntrospection;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every deliverability feature of one job at once, through a real Postfix (with Dovecot checking the OAuth token):
 * a token helper and OAUTHBEARER, DSN parameters, a Markdown body with an inline image, an attachment, non-ASCII
 * names, a Cc, List-Unsubscribe with one-click, and an Ed25519 DKIM signature. What Postfix delivered is parsed by
 * Jakarta Mail with every part intact, verified by dkimpy, and Postfix's success reports carry the stored ENVIDs.
 */
class EveryFeatureAtOnceTest {
    private static final String USER = "team@example.com";
    private static final String TOKEN = "ya29.every-feature-" + "t".repeat(1200);
    private static final String TEMPLATE = """
            From: Équipe Exemple <team@example.com>
            To: ${name} <${email}>
            Cc: Archiv <archive@example.com>
            Subject: Grüße, ${name}
            Content-Type: text/markdown
            Attachment: terms.pdf

            # Hallo ${name}!

            Your plan is **${plan}**. [Manage it](https://example.com/plan?u=${email?url}).

            ![Logo](cid:logo.png)
            """;

    @TempDir
    static Path dir;
    static TokenIntrospection introspection;
    static PostfixServer postfix;

    @BeforeAll
    static void servers() throws Exception {
        DkimVerifier.requireInstalled();
        introspection = new TokenIntrospection(TOKEN, USER);
        postfix = PostfixServer.withOAuth(introspection.url());
    }

    @AfterAll
    static void stop() throws Exception {
        if (postfix != null) postfix.close();
        if (introspection != null) introspection.close();
    }

    @Test
    void aMessageWithEveryFeatureArrivesWholeSignedAndReportedOn() throws Exception {
        DkimVerifier.Key key = DkimVerifier.ed25519(dir.resolve("dkim.pem"));
        byte[] logo = InlineImagesTest.bytes(3000, 11);
        byte[] terms = InlineImagesTest.bytes(5000, 12);
        JobDir job = new JobDir(dir.resolve("job")).set("name", "everything").smtp("localhost", postfix.oauthPort(), "starttls")
                .set("smtp.trust", postfix.certificate().toString()).set("smtp.username", USER).set("smtp.auth", "oauthbearer")
                .set("smtp.password.command", "cat token.txt").file("token.txt", TOKEN + "\n")
                .set("dsn.notify", "success,failure").set("dsn.ret", "hdrs")
                .set("list-unsubscribe.url", "https://example.com/unsubscribe?u=${email?url}")
                .set("list-unsubscribe.mailto", "unsubscribe@example.com?subject=stop%20${email?url}")
                .set("dkim.domain", "example.com").set("dkim.selector", "every").set("dkim.key.file", key.pem().toString())
                .file("message.ftl", TEMPLATE).bytes("logo.png", logo).bytes("terms.pdf", terms)
                .csv("email,name,plan\njose@example.com,José Núñez,<script>alert(1)</script> **Pro**\nwang@example.com,王芳,Basic\n");
        String db = "jdbc:h2:" + dir.resolve("db").toAbsolutePath();

        Cli.Result run = Cli.run(Cli.withDb(db, "run", job.write().toString()));

        assertEquals(0, run.exit(), run.all() + postfix.log());
        assertFalse(run.all().contains("every-feature-"), "the token is never shown: " + run.all());
        assertTrue(introspection.asked().contains(TOKEN), "Postfix's Dovecot checked the helper's token");
        // two messages, each to its To and the Cc, and Postfix's success report of each
        List<PostfixServer.Delivered> delivered = postfix.awaitDelivered(6);

        List<String> envids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(db, "", ""); ResultSet r = c.createStatement().executeQuery("SELECT envid FROM attempts")) {
            while (r.next()) envids.add(r.getString(1));
        }
        assertEquals(2, envids.size(), envids.toString());
        TreeSet<String> reported = new TreeSet<>();
        int copies = 0;
        for (PostfixServer.Delivered d : delivered) {
            byte[] wire = d.message().replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
            MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(wire));
            if (m.isMimeType("multipart/report")) {
                for (String id : envids) if (d.message().contains("Original-Envelope-Id: " + id)) reported.add(id);
                continue;
            }
            copies++;
            String to = m.getHeader("To", null);
            String name = to.contains("wang@") ? "王芳" : "José Núñez";
            String email = to.contains("wang@") ? "wang@example.com" : "jose@example.com";
            assertEquals("pass", DkimVerifier.verify(wire, key.record(), "every", "example.com", dir), d.to() + ":\n" + d.message());
            assertEquals("Grüße, " + name, m.getSubject());
            String encoded = email.replace("@", "%40");
            assertEquals("<https://example.com/unsubscribe?u=" + encoded + ">, <mailto:unsubscribe@example.com?subject=stop%20" + encoded + ">",
                    MimeUtility.unfold(m.getHeader("List-Unsubscribe", null)));
            assertEquals("List-Unsubscribe=One-Click", m.getHeader("List-Unsubscribe-Post", null));
            assertTrue(m.getHeader("DKIM-Signature", null).replaceAll("\\s", "").contains("list-unsubscribe:list-unsubscribe-post"),
                    m.getHeader("DKIM-Signature", null));

            assertTrue(m.isMimeType("multipart/mixed"), m.getContentType());
            Multipart mixed = (Multipart) m.getContent();
            assertEquals(2, mixed.getCount());
            Multipart alternative = (Multipart) mixed.getBodyPart(0).getContent();
            String text = (String) alternative.getBodyPart(0).getContent();
            assertTrue(text.startsWith("# Hallo " + name + "!\r\n"), text);
            Multipart related = (Multipart) alternative.getBodyPart(1).getContent();
            assertTrue(alternative.getBodyPart(1).isMimeType("multipart/related"), alternative.getBodyPart(1).getContentType());
            String html = (String) related.getBodyPart(0).getContent();
            assertTrue(html.contains("<h1>Hallo " + name + "!</h1>"), html);
            if (email.startsWith("jose")) {
                assertTrue(html.contains("<strong>&lt;script&gt;alert(1)&lt;/script&gt; **Pro**</strong>"), "the value stays literal text: " + html);
            }
            MimeBodyPart image = (MimeBodyPart) related.getBodyPart(1);
            assertTrue(html.contains("src=\"cid:" + image.getContentID().replaceAll("[<>]", "") + "\""), image.getContentID() + " in " + html);
            assertArrayEquals(logo, image.getInputStream().readAllBytes());
            MimeBodyPart attachment = (MimeBodyPart) mixed.getBodyPart(1);
            assertEquals(Part.ATTACHMENT, attachment.getDisposition());
            assertEquals("terms.pdf", attachment.getFileName());
            assertArrayEquals(terms, attachment.getInputStream().readAllBytes());
        }
        assertEquals(4, copies, "each message to its To and its Cc: " + postfix.log());
        assertEquals(new TreeSet<>(envids), reported, "Postfix's success reports echo each message's ENVID");

        String copy = delivered.stream().filter(d -> d.to().equals("archive@example.com")).findFirst().orElseThrow().message();
        byte[] tampered = copy.replace("\n", "\r\n").replace("# Hallo ", "# Hello ").getBytes(StandardCharsets.UTF_8);
        assertTrue(DkimVerifier.verify(tampered, key.record(), "every", "example.com", dir).startsWith("fail"), "the verifier checks: a changed body fails");
    }
}
