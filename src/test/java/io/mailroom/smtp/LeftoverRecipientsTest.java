package io.mailroom.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailroom.testing.ScriptedSmtpServer;
import io.mailroom.testing.ScriptedSmtpServer.Fault;
import io.mailroom.testing.ScriptedSmtpServer.Received;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A transaction that fails after its RCPT was accepted leaves that recipient in a sloppy server's envelope;
 * the next message on the same session must not go to it. The scripted server keeps recipients until RSET,
 * so what it delivers proves the reset.
 */
class LeftoverRecipientsTest {

    @ParameterizedTest(name = "{0}, pipelining={1}")
    @CsvSource({"REFUSED_AT_DATA, false", "REFUSED_AT_DATA, true", "DEFERRED_AFTER_DOT, false", "DEFERRED_AFTER_DOT, true"})
    void aFailedTransactionsRecipientsNeverReachTheNextMessageOnTheSession(Fault fault, boolean pipelining) throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().pipelining(pipelining).fault(1, fault)) {
            SmtpSettings settings = new SmtpSettings("127.0.0.1", server.port(), Security.NONE, null, AuthMechanism.AUTO, null, false,
                    Duration.ofSeconds(10), "client.test");
            SmtpSession session = new SmtpClient(settings).open("t", Transcript.NONE);
            Mail first = Mail.of("from@example.com", List.of("first@example.com"), "first\r\n".getBytes(StandardCharsets.US_ASCII));
            Mail second = Mail.of("from@example.com", List.of("second@example.com"), "second\r\n".getBytes(StandardCharsets.US_ASCII));
            List<String> outcomes = new ArrayList<>();
            session.pump(new Outbox<RuntimeException>() {
                final List<Mail> mails = new ArrayList<>(List.of(first, second));

                @Override public Mail next() { return mails.isEmpty() ? null : mails.remove(0); }

                @Override public void sending(Mail mail, List<Exchange> replies) { }

                @Override public void finished(Mail mail, Delivery d) { outcomes.add(d.last().step() + " " + d.last().reply().code()); }

                @Override public void failed(Mail mail, SmtpIOException e) { throw new AssertionError(e); }

                @Override public void unsent(Mail mail) { throw new AssertionError("unsent"); }
            });
            session.quit();

            assertEquals(List.of(fault == Fault.REFUSED_AT_DATA ? "DATA 554" : "END_OF_DATA 451", "END_OF_DATA 250"), outcomes);
            assertEquals(List.of(new Received("from@example.com", List.of("second@example.com"), "second\r\n")), server.received());
            List<String> verbs = server.clientLines().stream().map(l -> l.split("[ :]")[0]).toList();
            assertEquals(List.of("EHLO", "MAIL", "RCPT", "DATA", "RSET", "MAIL", "RCPT", "DATA", "QUIT"), verbs);
        }
    }
}
