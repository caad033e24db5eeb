package io.mailroom.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailroom.testing.ScriptedSmtpServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** DSN parameters (RFC 3461) as they are written: xtext, NOTIFY, RET, ENVID and ORCPT, on both engines. */
class DsnParametersTest {
    private static final Dsn FAILURE_AND_DELAY = new Dsn(EnumSet.of(Dsn.Notify.DELAY, Dsn.Notify.FAILURE), Dsn.Ret.HDRS, true, true);

    @Test
    void xtextKeepsPrintableAsciiAndEncodesPlusEqualsSpaceAndEveryNonAsciiOctet() {
        assertEquals("ann+2Bnews+3D1+20x+C3+BC@example.com", Xtext.encode("ann+news=1 xü@example.com"));
        assertEquals("r1a1-abcdefgh", Xtext.encode("r1a1-abcdefgh"), "an ENVID mailroom makes needs no encoding");
        assertEquals("!~+2B+3D+7F", Xtext.encode("!~+=\u007f"), "'!' (33) to '~' (126) are kept, DEL (127) is encoded");
    }

    @Test
    void orcptNamesAnAsciiAddressAsRfc822AndAnInternationalizedOneAsUtf8() {
        Mail mail = mail("ann+news@example.com").withDsn(new Dsn(Set.of(), null, false, true), null);
        assertEquals("RCPT TO:<ann+news@example.com> NOTIFY=NEVER ORCPT=rfc822;ann+2Bnews@example.com", SessionCore.rcptTo(mail, "ann+news@example.com"));
        assertEquals("RCPT TO:<jürgen+a=b@example.com> NOTIFY=NEVER ORCPT=utf-8;jürgen\\x{2B}a\\x{3D}b@example.com",
                SessionCore.rcptTo(mail, "jürgen+a=b@example.com"), "RFC 6533's utf-8-addr-unitext: UTF-8 as it is, '+' and '=' as \\x{HEX}");
    }

    @Test
    void orcptIsLeftOutWhereItWouldMakeTheCommandLongerThan512Octets() {
        String longAddress = "a".repeat(240) + "@example.com";
        Mail mail = mail(longAddress).withDsn(FAILURE_AND_DELAY, "r1a1-abcdefgh");
        assertEquals("RCPT TO:<" + longAddress + "> NOTIFY=FAILURE,DELAY", SessionCore.rcptTo(mail, longAddress));
    }

    @Test
    void withoutDsnTheCommandsAreAsBefore() {
        assertEquals("RCPT TO:<ann@example.com>", SessionCore.rcptTo(mail("ann@example.com"), "ann@example.com"));
    }

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {false, true})
    void mailFromCarriesRetAndEnvidAndEveryRcptNotifyAndOrcpt(boolean pipelining) throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().pipelining(pipelining).dsn(true)) {
            SmtpSession session = new SmtpClient(new SmtpSettings("127.0.0.1", server.port(), Security.NONE, null, AuthMechanism.AUTO, null, false,
                    Duration.ofSeconds(10), "client.test")).open("t", Transcript.NONE);
            Mail mail = Mail.of("team@example.com", List.of("ann+news@example.com", "bob@example.com"), "hi\r\n".getBytes(StandardCharsets.US_ASCII))
                    .withDsn(FAILURE_AND_DELAY, "r1a1-abcdefgh");
            List<String> outcomes = new ArrayList<>();
            session.pump(new Outbox<RuntimeException>() {
                final List<Mail> mails = new ArrayList<>(List.of(mail));

                @Override public Mail next() { return mails.isEmpty() ? null : mails.remove(0); }

                @Override public void sending(Mail m, List<Exchange> replies) { }

                @Override public void finished(Mail m, Delivery d) { outcomes.add(d.last().step() + " " + d.last().reply().code()); }

                @Override public void failed(Mail m, SmtpIOException e) { throw new AssertionError(e); }

                @Override public void unsent(Mail m) { throw new AssertionError("unsent"); }
            });
            session.quit();

            assertEquals(List.of("END_OF_DATA 250"), outcomes);
            assertEquals(List.of("MAIL FROM:<team@example.com> BODY=8BITMIME RET=HDRS ENVID=r1a1-abcdefgh",
                    "RCPT TO:<ann+news@example.com> NOTIFY=FAILURE,DELAY ORCPT=rfc822;ann+2Bnews@example.com",
                    "RCPT TO:<bob@example.com> NOTIFY=FAILURE,DELAY ORCPT=rfc822;bob@example.com"),
                    server.clientLines().stream().filter(l -> l.startsWith("MAIL") || l.startsWith("RCPT")).toList());
        }
    }

    private static Mail mail(String to) {
        try {
            return Mail.of("team@example.com", List.of(to), "hi\r\n".getBytes(StandardCharsets.US_ASCII));
        } catch (UnsendableMessageException e) {
            throw new AssertionError(e);
        }
    }
}
