package io.mailroom.mime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.template.MessageTemplate;
import io.mailroom.template.RenderedMessage;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class MessageBuilderTest {
    private final MessageBuilder builder = new MessageBuilder(Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC));

    private static RenderedMessage render(String template, Map<String, String> row) throws Exception {
        return MessageTemplate.compile("t.ftl", template, null, null).render(row);
    }

    private static MimeMessage parse(OutgoingMessage m) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(m.bytes()));
    }

    @Test
    void bccReachesTheEnvelopeButNeverTheHeaders() throws Exception {
        OutgoingMessage m = builder.build(render("From: a@x.com\nTo: b@x.com\nCc: c@x.com\nBcc: d@x.com\nSubject: s\n\nbody\n", Map.of()),
                List.of(), "<id@x.com>", null);
        assertEquals(List.of("b@x.com", "c@x.com", "d@x.com"), m.recipients());
        assertFalse(new String(m.bytes(), StandardCharsets.US_ASCII).toLowerCase().contains("bcc"));
        assertEquals("a@x.com", m.envelopeFrom());
    }

    @Test
    void nonAsciiDisplayNamesAndSubjectsAreEncodedAndDecodeBack() throws Exception {
        OutgoingMessage m = builder.build(render("From: Team <a@x.com>\nTo: ${name} <b@x.com>\nSubject: Grüße, ${name}!\n\nHallo ${name}\n",
                Map.of("name", "王芳 Zoë")), List.of(), "<id@x.com>", "bounce@x.com");
        String wire = new String(m.bytes(), StandardCharsets.US_ASCII);
        assertTrue(wire.chars().allMatch(c -> c < 128), "headers and body are 7-bit on the wire");
        MimeMessage parsed = parse(m);
        assertEquals("王芳 Zoë", ((InternetAddress) parsed.getRecipients(Message.RecipientType.TO)[0]).getPersonal());
        assertEquals("Grüße, 王芳 Zoë!", parsed.getSubject());
        assertEquals("Hallo 王芳 Zoë\r\n", parsed.getContent());
        assertEquals("<id@x.com>", parsed.getMessageID());
        assertEquals(Instant.parse("2026-11-22T10:00:00Z"), parsed.getSentDate().toInstant());
        assertEquals("bounce@x.com", m.envelopeFrom());
    }

    @Test
    void commaInDataStaysInTheDisplayNameAndCannotAddARecipient() throws Exception {
        OutgoingMessage ok = builder.build(render("From: a@x.com\nTo: ${name} <b@x.com>\n\nx\n", Map.of("name", "O'Brien, Jr.")),
                List.of(), "<id@x.com>", null);
        assertEquals(List.of("b@x.com"), ok.recipients());
        assertEquals("O'Brien, Jr.", ((InternetAddress) parse(ok).getRecipients(Message.RecipientType.TO)[0]).getPersonal());

        RenderedMessage evil = render("From: a@x.com\nTo: ${name} <${email}>\n\nx\n", Map.of("name", "evil@attacker.com,", "email", "b@x.com"));
        OutgoingMessage m = builder.build(evil, List.of(), "<id@x.com>", null);
        assertEquals(List.of("b@x.com"), m.recipients());

        RenderedMessage twoInOne = render("From: a@x.com\nTo: ${email}\n\nx\n", Map.of("email", "b@x.com, evil@attacker.com"));
        assertThrows(MessageException.class, () -> builder.build(twoInOne, List.of(), "<id@x.com>", null));
    }

    @Test
    void invalidAddressesAreRefusedWithTheHeaderName() throws Exception {
        for (String bad : List.of("not-an-address", "a@", "a@@x.com", "a b@x.com", "a@exa_mple.com", "a@x..com", "mü\u200Bller@x.com", "Ann <a@x.com", "<a@x.com> <b@x.com>")) {
            RenderedMessage m = render("From: a@x.com\nTo: ${to}\n\nx\n", Map.of("to", bad));
            MessageException e = assertThrows(MessageException.class, () -> builder.build(m, List.of(), "<id@x.com>", null), bad);
            assertTrue(e.getMessage().startsWith("To:"), e.getMessage());
        }
    }

    @Test
    void internationalizedDomainBecomesItsALabelAndNeedsNothingSpecial() throws Exception {
        OutgoingMessage m = builder.build(render("From: a@x.com\nTo: ${to}\n\nx\n", Map.of("to", "ann@bücher.example")), List.of(), "<i@x.com>", null);
        assertEquals(List.of("ann@xn--bcher-kva.example"), m.recipients());
        assertFalse(m.needsSmtpUtf8());
        assertTrue(new String(m.bytes(), StandardCharsets.US_ASCII).contains("To: ann@xn--bcher-kva.example"));
    }

    @Test
    void utf8LocalPartNeedsSmtpUtf8AndTravelsInUtf8Headers() throws Exception {
        OutgoingMessage m = builder.build(render("From: a@x.com\nTo: Jürgen <${to}>\n\nx\n", Map.of("to", "jürgen@example.com")), List.of(), "<i@x.com>", null);
        assertEquals(List.of("jürgen@example.com"), m.recipients());
        assertTrue(m.needsSmtpUtf8());
        String wire = new String(m.bytes(), StandardCharsets.UTF_8);
        assertTrue(wire.contains("To: \"Jürgen\" <jürgen@example.com>"), "raw UTF-8 header, no RFC 2047 words: " + wire);
    }

    @Test
    void messageNeedsAFromAndARecipient() throws Exception {
        assertThrows(MessageException.class, () -> builder.build(render("To: b@x.com\n\nx\n", Map.of()), List.of(), "<i@x>", null));
        assertThrows(MessageException.class, () -> builder.build(render("From: a@x.com\n\nx\n", Map.of()), List.of(), "<i@x>", null));
    }

    @Test
    void simplestStructureForWhatTheRowNeeds() throws Exception {
        RenderedMessage text = render("From: a@x.com\nTo: b@x.com\n\nx\n", Map.of());
        assertTrue(parse(builder.build(text, List.of(), "<i@x.com>", null)).isMimeType("text/plain"));

        RenderedMessage alt = MessageTemplate.compile("t.ftl", "From: a@x.com\nTo: b@x.com\n\nx\n", "h.ftl", "<p>x</p>").render(Map.of());
        MimeMessage parsedAlt = parse(builder.build(alt, List.of(), "<i@x.com>", null));
        assertTrue(parsedAlt.isMimeType("multipart/alternative"));

        byte[] pdf = {'%', 'P', 'D', 'F', 0, (byte) 0xff, '\n', '\r', '.', '\n'};
        MimeMessage mixed = parse(builder.build(alt, List.of(new Attachment("Rechnung März.pdf", pdf)), "<i@x.com>", null));
        assertTrue(mixed.isMimeType("multipart/mixed"));
        Multipart parts = (Multipart) mixed.getContent();
        assertTrue(parts.getBodyPart(0).isMimeType("multipart/alternative"));
        Part file = parts.getBodyPart(1);
        assertTrue(file.isMimeType("application/pdf"));
        assertEquals("Rechnung März.pdf", file.getFileName());
        assertArrayEquals(pdf, file.getInputStream().readAllBytes());
        assertTrue(new String(builder.build(alt, List.of(new Attachment("Rechnung März.pdf", pdf)), "<i@x.com>", null).bytes(),
                StandardCharsets.US_ASCII).contains("filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf"), "RFC 2231 file name");
    }

    @Test
    void everyLineEndsInCrlf() throws Exception {
        OutgoingMessage m = builder.build(render("From: a@x.com\nTo: b@x.com\n\none\ntwo\r\nthree\n", Map.of()), List.of(), "<i@x.com>", null);
        byte[] b = m.bytes();
        for (int i = 0; i < b.length; i++) if (b[i] == '\n') assertEquals('\r', b[i - 1], "bare LF at " + i);
    }

    @Test
    void theCheapSizeBoundIsNeverBelowTheMessageAsBuilt() throws Exception {
        String cjk = "\u6f22\u5b57\u304b\u306a\u6df7\u3058\u308a".repeat(3000);
        String template = "From: \u30c1\u30fc\u30e0 <team@example.com>\nTo: ${name} <b@example.com>\nSubject: ${subject}\nX-Note: ${subject}\n\n${body}\n";
        for (Map<String, String> row : List.of(
                Map.of("name", "Ann", "subject", "Hi", "body", "plain"),
                Map.of("name", cjk.substring(0, 300), "subject", cjk, "body", "plain"),
                Map.of("name", "Ann", "subject", "Hi", "body", cjk),
                Map.of("name", "=?x?=", "subject", "\u00e9".repeat(5000) + " " + "a ".repeat(3000), "body", "\u0000\u00ff".repeat(20000)))) {
            RenderedMessage m = render(template, row);
            List<Attachment> files = List.of(new Attachment("\u6587\u66f8".repeat(100) + ".pdf", new byte[70001]));
            for (List<Attachment> attached : List.of(List.<Attachment>of(), files)) {
                long built = builder.build(m, attached, "<id@example.com>", null).bytes().length;
                assertTrue(MessageBuilder.sizeBound(m, attached, Map.of()) >= built, MessageBuilder.sizeBound(m, attached, Map.of()) + " < " + built);
            }
        }
    }

    @Test
    void theCheapSizeBoundCountsInlineImagesAndTheContentIdsTheirReferencesGrowBy() throws Exception {
        String domain = ("d".repeat(60) + ".").repeat(3) + "example.com";
        String html = "<#list 1..300 as i><img src=cid:a></#list><img src=\"cid:${name}\">";
        RenderedMessage m = MessageTemplate.compile("t.ftl", "From: a@" + domain + "\nTo: b@x.com\n\nx\n", "t.html", html).render(Map.of("name", "n".repeat(900)));
        InlineImage small = new InlineImage("a", new byte[10]);
        InlineImage named = new InlineImage("n".repeat(900), new byte[40000]);
        Map<String, InlineImage> images = Map.of("a", small, "n".repeat(900), named);
        long built = builder.build(m, List.of(), images, "<id@" + domain + ">", null).bytes().length;
        assertTrue(MessageBuilder.sizeBound(m, List.of(), images) >= built, MessageBuilder.sizeBound(m, List.of(), images) + " < " + built);
    }

    @Test
    void moreThanAThousandRecipientsInOneRowIsTheRowsProblem() throws Exception {
        String template = "From: a@example.com\nTo: <#list 1..n?number as i>u${i}@example.com<#sep>, </#list>\n\nHi\n";
        assertEquals(1000, MessageBuilder.envelope(render(template, Map.of("n", "1000")), null).recipients().size());
        MessageException e = assertThrows(MessageException.class, () -> MessageBuilder.envelope(render(template, Map.of("n", "1001")), null));
        assertTrue(e.getMessage().contains("1001 recipients in one message; at most 1000"), e.getMessage());
    }

    @Test
    void anAddressOfThousandsOfDotsIsRefusedForItsLengthNotByOverflowingTheStack() throws Exception {
        for (String address : List.of("a.".repeat(20000) + "a@example.com", "a@" + "a.".repeat(20000) + "com")) {
            MessageException e = assertThrows(MessageException.class,
                    () -> MessageBuilder.envelope(render("From: a@example.com\nTo: ${to}\n\nHi\n", Map.of("to", address)), null));
            assertTrue(e.getMessage().contains("RFC 5321 allows"), e.getMessage());
        }
    }
}
