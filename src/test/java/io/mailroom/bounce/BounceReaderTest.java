package io.mailroom.bounce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mailroom.bounce.Bounce.Kind;
import io.mailroom.bounce.Bounce.Recipient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BounceReaderTest {
    private static final long LIMIT = 10L * 1024 * 1024;
    private static final List<String> FIXTURES = List.of("postfix-dsn", "delay-dsn", "cc-bounce", "gmail-dsn", "gmail-address-not-found",
            "microsoft365", "exim", "qmail", "fatal-errors-plain", "postfix-plain", "gb18030", "out-of-office", "vacation-subject", "human",
            "broken-mime");

    // --- RFC 3464 reports

    @Test
    void postfixReportGivesTheFailedAddressItsCodeDiagnosticMtaEnvelopeIdAndTheReturnedMessageId() throws Exception {
        Bounce b = read("postfix-dsn");   // CRLF line endings
        assertEquals(Kind.FAILED, b.kind());
        assertEquals(List.of(new Recipient("nobody@example.net", "nobody@example.net", "failed", "5.1.1", "unknown user: \"nobody\"")),
                b.recipients());
        assertEquals("mx.example.net", b.reportingMta());
        assertEquals("mr-7f3a9c", b.envelopeId());
        assertEquals("<6f1c2d3e-0a4b-4c5d-9e8f-112233445566@mailroom.example.com>", b.returnedMessageId());
        assertEquals(Instant.parse("2026-03-03T09:15:01Z"), b.arrivedAt());
        assertEquals(List.of("bounces+q7k2m9x4@mailroom.example.com"), b.deliveredTo());
        assertEquals("Undelivered Mail Returned to Sender", b.subject());
    }

    @Test
    void delayNoticeIsDelayedWithItsFourFourSevenAndUnfoldedDiagnostic() throws Exception {
        Bounce b = read("delay-dsn");
        assertEquals(Kind.DELAYED, b.kind());
        Recipient r = b.recipients().get(0);
        assertEquals("slow@example.org", r.finalRecipient());
        assertEquals("delayed", r.action());
        assertEquals("4.4.7", r.status());
        assertEquals("connect to mx.example.org[198.51.100.7]:25: Connection timed out", r.diagnostic());
        assertEquals("<0a1b2c3d-delay@mailroom.example.com>", b.returnedMessageId());
    }

    @Test
    void bounceForACcAddressNamesThatAddressAndTheMessageItWasCopiedOn() throws Exception {
        Bounce b = read("cc-bounce");
        assertEquals(Kind.FAILED, b.kind());
        assertEquals(1, b.recipients().size());
        assertEquals("old-manager@example.net", b.recipients().get(0).finalRecipient());
        assertEquals("5.2.1", b.recipients().get(0).status());
        assertEquals("550 5.2.1 <old-manager@example.net>: Mailbox disabled for this recipient", b.recipients().get(0).diagnostic());
        assertEquals("mr-cc0042", b.envelopeId());
        assertEquals("<cc-returned-9@mailroom.example.com>", b.returnedMessageId());
    }

    @Test
    void gmailReportIsFoundBehindItsNestedHumanPartsWithTheCodeTakenFromStatus() throws Exception {
        Bounce b = read("gmail-dsn");
        assertEquals(Kind.FAILED, b.kind());
        Recipient r = b.recipients().get(0);
        assertEquals("nobody@example.com", r.finalRecipient());
        assertNull(r.originalRecipient());
        assertEquals("5.1.1", r.status());
        assertTrue(r.diagnostic().startsWith("550-5.1.1 The email account that you tried to reach does not exist. Please try"), r.diagnostic());
        assertEquals("googlemail.com", b.reportingMta());
        assertEquals("<gmail-returned-1@mailroom.example.com>", b.returnedMessageId());
        assertEquals(List.of("bounces+h5j8k2p0@mailroom.example.com"), b.deliveredTo());
        assertEquals("Delivery Status Notification (Failure)", b.subject());
    }

    @Test
    void microsoft365UndeliverableGivesItsFourPartCodeAndExchangeMta() throws Exception {
        Bounce b = read("microsoft365");
        assertEquals(Kind.FAILED, b.kind());
        Recipient r = b.recipients().get(0);
        assertEquals("nobody@contoso.example", r.finalRecipient());
        assertEquals("nobody@contoso.example", r.originalRecipient());
        assertEquals("5.1.10", r.status());
        assertTrue(r.diagnostic().startsWith("550 5.1.10 RESOLVER.ADR.RecipientNotFound;"), r.diagnostic());
        assertEquals("AM0PR01MB1234.eurprd01.prod.exchangelabs.com", b.reportingMta());
        assertEquals("<ms-returned-3@mailroom.example.com>", b.returnedMessageId());
        assertEquals(List.of("bounces+m1n2b3v4@mailroom.example.com"), b.deliveredTo());
        assertEquals("Undeliverable: Quarterly report", b.subject());
    }

    @Test
    void reportThatOnlySaysDeliveredIsOtherButKeepsItsRecipient() throws Exception {
        Bounce b = BounceReader.read(fixture("postfix-dsn").replace("Action: failed", "Action: delivered (to mailbox)")
                .replace("Status: 5.1.1", "Status: 2.0.0").getBytes(StandardCharsets.UTF_8), LIMIT);
        assertEquals(Kind.OTHER, b.kind());
        assertEquals("delivered", b.recipients().get(0).action());
        assertEquals("2.0.0", b.recipients().get(0).status());
    }

    @Test
    void reportWithoutPerMessageFieldsOrActionIsReadByHandAndTheCodeGivesTheAction() throws Exception {
        String mangled = fixture("cc-bounce").replaceAll("Reporting-MTA: dns; mx.example.net\\r?\\nOriginal-Envelope-Id: mr-cc0042\\r?\\n"
                + "Arrival-Date: [^\\n]*\\n\\r?\\n", "\n\n").replace("Action: failed\n", "").replace("Status: 5.2.1\n", "");
        Bounce b = BounceReader.read(mangled.getBytes(StandardCharsets.UTF_8), LIMIT);
        assertEquals(Kind.FAILED, b.kind());
        assertEquals(new Recipient("old-manager@example.net", "old-manager@example.net", "failed", "5.2.1",
                "550 5.2.1 <old-manager@example.net>: Mailbox disabled for this recipient"), b.recipients().get(0));
        assertNull(b.envelopeId());
        assertEquals(Instant.parse("2026-03-15T10:00:00Z"), b.arrivedAt()); // no Arrival-Date: the bounce's own Date
    }

    @Test
    void utf8ReportNamesItsInternationalAddressIntact() throws Exception {
        String global = fixture("cc-bounce").replace("Content-Type: message/delivery-status", "Content-Type: message/global-delivery-status")
                .replace("Final-Recipient: rfc822; old-manager@example.net", "Final-Recipient: utf-8; 王伟@例子.中国");
        Bounce b = BounceReader.read(global.getBytes(StandardCharsets.UTF_8), LIMIT);
        assertEquals("王伟@例子.中国", b.recipients().get(0).finalRecipient());
        assertEquals("mx.example.net", b.reportingMta());
    }

    // --- plain-text bounces

    @Test
    void microsoft365NotificationWithoutItsReportIsReadFromItsHtmlText() throws Exception {
        String raw = fixture("microsoft365");
        int text = raw.indexOf("Content-Type: text/plain");
        int html = raw.indexOf("--a1b2c3d4-5555-6666-7777-888899990000\r\nContent-Type: text/html");
        int report = raw.indexOf("--dc3f1b2a-1111-2222-3333-444455556666\r\nContent-Type: message/delivery-status");
        int returned = raw.indexOf("--dc3f1b2a-1111-2222-3333-444455556666\r\nContent-Type: message/rfc822");
        String htmlOnly = raw.substring(0, text) + raw.substring(html + 40, report) + raw.substring(returned);
        Bounce b = BounceReader.read(htmlOnly.getBytes(StandardCharsets.UTF_8), LIMIT);
        assertEquals(Kind.FAILED, b.kind());
        assertEquals(new Recipient("nobody@contoso.example", null, "failed", null, null), b.recipients().get(0));
        assertNull(b.reportingMta());
        assertEquals("<ms-returned-3@mailroom.example.com>", b.returnedMessageId());
    }

    @Test
    void gmailAddressNotFoundInBase64TextIsAFailureWithTheQuotedMessageId() throws Exception {
        Bounce b = read("gmail-address-not-found");
        assertEquals(Kind.FAILED, b.kind());
        Recipient r = b.recipients().get(0);
        assertEquals("nobody@example.com", r.finalRecipient());
        assertEquals("failed", r.action());
        assertEquals("5.1.1", r.status());
        assertTrue(r.diagnostic().startsWith("550 5.1.1 The email account that you tried to reach does not exist."), r.diagnostic());
        assertNull(b.reportingMta());
        assertEquals("<gmail-only-2@mailroom.example.com>", b.returnedMessageId());
    }

    @Test
    void eximBounceNamesTheAddressItsCodeAndTheEnvelopeToWithTheVerpToken() throws Exception {
        Bounce b = read("exim");
        assertEquals(Kind.FAILED, b.kind());
        Recipient r = b.recipients().get(0);
        assertEquals(1, b.recipients().size());
        assertEquals("nobody@example.org", r.finalRecipient());
        assertEquals("5.1.1", r.status());
        assertEquals("host mx.example.org [203.0.113.25] SMTP error from remote mail server after RCPT TO:<nobody@example.org>: "
                + "550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in virtual mailbox table", r.diagnostic());
        assertEquals("<exim-returned-42@mailroom.example.com>", b.returnedMessageId());
        assertEquals(List.of("bounces+z3r8t1w6@mailroom.example.com"), b.deliveredTo());
        assertEquals(Instant.parse("2026-03-06T11:42:10Z"), b.arrivedAt());
    }

    @Test
    void eximDelayWarningIsDelayed() throws Exception {
        String delay = fixture("exim").replace("could not be delivered to one or more of its\nrecipients. This is a permanent error. "
                        + "The following address(es) failed:", "has not yet been delivered to one or more of its recipients after more than\n"
                        + "24 hours on the queue. The address to which the message has not yet been delivered is:")
                .replace("550 5.1.1", "451 4.4.1");
        Bounce b = BounceReader.read(delay.getBytes(StandardCharsets.UTF_8), LIMIT);
        assertEquals(Kind.DELAYED, b.kind());
        assertEquals("4.4.1", b.recipients().get(0).status());
    }

    @Test
    void qmailBounceNamesEachAddressWithQmailsOwnCodeOrTheRemoteOne() throws Exception {
        Bounce b = read("qmail");
        assertEquals(Kind.FAILED, b.kind());
        assertEquals(List.of(
                new Recipient("nobody@example.biz", null, "failed", "5.1.1", "Sorry, no mailbox here by that name. (#5.1.1)"),
                new Recipient("remote@example.com", null, "failed", "5.7.1", "203.0.113.40 does not like recipient. Remote host said: 550 5.7.1 "
                        + "<remote@example.com>: Relay access denied Giving up on 203.0.113.40.")), b.recipients());
        assertEquals("<qmail-returned-7@mailroom.example.com>", b.returnedMessageId());
    }

    @Test
    void permanentFatalErrorsFormTakesEachAddressWithItsReasonOrItsTranscriptLine() throws Exception {
        Bounce b = read("fatal-errors-plain");
        assertEquals(Kind.FAILED, b.kind());
        assertEquals(List.of(
                new Recipient("gone@legacy.example.com", null, "failed", "5.1.1", "550 5.1.1 <gone@legacy.example.com>... User unknown"),
                new Recipient("also-gone@legacy.example.com", null, "failed", "5.2.1", "550 5.2.1 <Also-Gone@legacy.example.com>... Mailbox disabled")),
                b.recipients());
        assertEquals("<legacy-1234@mailroom.example.com>", b.returnedMessageId());
    }

    @Test
    void postfixTextFormWithoutReportJoinsTheWrappedServerReply() throws Exception {
        Bounce b = read("postfix-plain");
        assertEquals(Kind.FAILED, b.kind());
        Recipient r = b.recipients().get(0);
        assertEquals("left@old.example.net", r.finalRecipient());
        assertEquals("5.1.1", r.status());
        assertEquals("host mailbox.old.example.net[198.51.100.3] said: 550 5.1.1 <left@old.example.net>: Recipient address rejected: "
                + "User unknown (in reply to RCPT TO command)", r.diagnostic());
    }

    @Test
    void gb18030BounceIsDecodedInSubjectAndText() throws Exception {
        Bounce b = read("gb18030");
        assertEquals("系统退信", b.subject());
        assertEquals(Kind.FAILED, b.kind());
        assertEquals(new Recipient("wangwei@example.cn", null, "failed", "5.1.1", "用户不存在 (mailbox unavailable). (#5.1.1)"), b.recipients().get(0));
        assertEquals("<gb-returned-5@mailroom.example.com>", b.returnedMessageId());
    }

    // --- not bounces

    @Test
    void outOfOfficeReplyIsAnAutoReplyNamingNoRecipient() throws Exception {
        Bounce b = read("out-of-office");
        assertEquals(Kind.AUTO_REPLY, b.kind());
        assertEquals(List.of(), b.recipients());
        assertNull(b.returnedMessageId());
        assertEquals(List.of("bounces+a9s8d7f6@mailroom.example.com"), b.deliveredTo());
    }

    @Test
    void vacationReplyWithoutAutoSubmittedIsKnownByItsSubject() throws Exception {
        Bounce b = read("vacation-subject");
        assertEquals(Kind.AUTO_REPLY, b.kind());
        assertEquals(List.of("bounces@mailroom.example.com", "team@mailroom.example.com"), b.deliveredTo());
    }

    @Test
    void ordinaryMailThatMentionsAFailedAddressIsOtherAndNamesNoOne() throws Exception {
        Bounce b = read("human");
        assertEquals(Kind.OTHER, b.kind());
        assertEquals(List.of(), b.recipients());
        assertNull(b.returnedMessageId());
    }

    @Test
    void forwardedMessageIsOtherAndItsAttachedMessageIdIsNotOffered() throws Exception {
        String forward = "From: Alice <alice@example.org>\nTo: team@mailroom.example.com\nSubject: Fwd: Welcome aboard\nMIME-Version: 1.0\n"
                + "Content-Type: multipart/mixed; boundary=f\n\n--f\nContent-Type: text/plain\n\nSee below.\n--f\n"
                + "Content-Type: message/rfc822\n\nFrom: Team <team@mailroom.example.com>\nMessage-ID: <fwd-11@mailroom.example.com>\n\nHello!\n--f--\n";
        Bounce b = BounceReader.read(forward.getBytes(StandardCharsets.US_ASCII), LIMIT);
        assertEquals(Kind.OTHER, b.kind());
        assertNull(b.returnedMessageId());
    }

    @Test
    void bounceWordsWithoutARecognisableAddressAreOther() throws Exception {
        String noAddress = fixture("exim").replace("  nobody@example.org\n", "  a local delivery\n");
        Bounce b = BounceReader.read(noAddress.getBytes(StandardCharsets.UTF_8), LIMIT);
        assertEquals(Kind.OTHER, b.kind());
        assertEquals(List.of(), b.recipients());
    }

    @Test
    void envelopeRecipientEvidenceComesInDeliveredToXOriginalToEnvelopeToToOrderEachOnce() throws Exception {
        String raw = "Delivered-To: Bounces+T1@Mailroom.example.com\nX-Original-To: <bounces+t2@mailroom.example.com>\n"
                + "Envelope-To: bounces+t3@mailroom.example.com\nTo: Team <bounces+T1@mailroom.example.com>, other@example.com\n"
                + "Subject: hello\n\nHi\n";
        assertEquals(List.of("bounces+t1@mailroom.example.com", "bounces+t2@mailroom.example.com", "bounces+t3@mailroom.example.com",
                "other@example.com"), BounceReader.read(raw.getBytes(StandardCharsets.US_ASCII), LIMIT).deliveredTo());
    }

    // --- malformed input: read for what it holds, or refused with a reason

    @Test
    void reportMissingItsClosingBoundaryIsStillReadForWhatItHolds() throws Exception {
        Bounce b = read("broken-mime");
        assertEquals(Kind.FAILED, b.kind());
        assertEquals("cut@example.net", b.recipients().get(0).finalRecipient());
        assertEquals("<broken-returned-10@mailroom.example.com>", b.returnedMessageId());
    }

    @Test
    void multipartWithoutItsBoundaryIsRefusedWithAReason() {
        String raw = "From: MAILER-DAEMON@mx.example.net\nSubject: Undelivered Mail\nMIME-Version: 1.0\n"
                + "Content-Type: multipart/report; report-type=delivery-status; boundary=\"never-used\"\n\nNo parts here at all.\n";
        UnreadableBounce e = assertThrows(UnreadableBounce.class, () -> BounceReader.read(raw.getBytes(StandardCharsets.US_ASCII), LIMIT));
        assertEquals("the message (multipart/report) cannot be read: Missing start boundary", e.getMessage());
    }

    @Test
    void textPartThatCannotBeDecodedIsRefusedNamingThePart() {
        String raw = "From: MAILER-DAEMON@mx.example.net\nSubject: Undelivered Mail\nMIME-Version: 1.0\n"
                + "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\nContent-Transfer-Encoding: x-unheard-of\n\n"
                + "text\n--b--\n";
        UnreadableBounce e = assertThrows(UnreadableBounce.class, () -> BounceReader.read(raw.getBytes(StandardCharsets.US_ASCII), LIMIT));
        assertTrue(e.getMessage().startsWith("part 1 of the message (text/plain) cannot be read: "), e.getMessage());
    }

    @Test
    void emptyOrHeaderlessInputIsRefusedAsNotAMailMessage() {
        assertEquals("the message is empty", assertThrows(UnreadableBounce.class, () -> BounceReader.read(new byte[0], LIMIT)).getMessage());
        byte[] noise = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};
        assertEquals("not a mail message: it has no header fields",
                assertThrows(UnreadableBounce.class, () -> BounceReader.read(noise, LIMIT)).getMessage());
    }

    @Test
    void fiftyMegabyteAttachmentIsRefusedOverTheLimitWithItsSizeAndReadUnderALargerOne() throws Exception {
        byte[] raw = withAttachment(fixture("cc-bounce"), 50 * 1024 * 1024);
        UnreadableBounce e = assertThrows(UnreadableBounce.class, () -> BounceReader.read(raw, LIMIT));
        assertEquals("the message is " + raw.length + " bytes, more than the " + LIMIT + " bytes a bounce may have", e.getMessage());

        Bounce b = BounceReader.read(raw, 100L * 1024 * 1024);
        assertEquals(Kind.FAILED, b.kind());
        assertEquals("old-manager@example.net", b.recipients().get(0).finalRecipient());
    }

    @Test
    void noDamageToAFixtureMakesTheReaderThrowAnythingButUnreadableBounce() throws Exception {
        Random random = new Random(16);
        for (String name : FIXTURES) {
            byte[] good = bytes(name);
            for (int cut = 1; cut < good.length; cut += 1 + good.length / 60) tryRead(name + " cut at " + cut, Arrays.copyOf(good, cut));
            for (int round = 0; round < 25; round++) {
                byte[] bad = good.clone();
                for (int i = 0; i < 8; i++) bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
                tryRead(name + " damaged, round " + round, bad);
            }
        }
    }

    private static void tryRead(String what, byte[] raw) {
        try {
            BounceReader.read(raw, LIMIT);
        } catch (UnreadableBounce expected) {
            assertTrue(expected.getMessage() != null && !expected.getMessage().isBlank(), what);
        } catch (Throwable t) {
            fail(what + ": " + t, t);
        }
    }

    /** The bounce with its returned message swapped for one carrying an attachment of the given size, in base64. */
    private static byte[] withAttachment(String bounce, int size) throws IOException {
        String returned = "Content-Type: message/rfc822\n\n";
        int at = bounce.indexOf(returned) + returned.length();
        String head = bounce.substring(0, at) + "From: Team <team@mailroom.example.com>\nMessage-ID: <big@mailroom.example.com>\n"
                + "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=inner\n\n--inner\nContent-Type: application/octet-stream\n"
                + "Content-Transfer-Encoding: base64\n\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream(size * 4 / 3 + 1_000_000);
        out.write(head.getBytes(StandardCharsets.UTF_8));
        byte[] line = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\n".getBytes(StandardCharsets.US_ASCII);
        for (long written = 0; written < size; written += 57) out.write(line);
        out.write("--inner--\n\n--CC11.1773568800/mx.example.net--\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static Bounce read(String name) throws Exception {
        return BounceReader.read(bytes(name), LIMIT);
    }

    private static String fixture(String name) throws IOException {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String name) throws IOException {
        try (InputStream in = BounceReaderTest.class.getResourceAsStream("/bounces/" + name + ".eml")) {
            if (in == null) throw new IOException("no fixture " + name);
            return in.readAllBytes();
        }
    }
}
