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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The outbox hears "sending" once per message, after its content was handed to the connection and before its
 * final "." was: the caller journals there, and a message whose "." never left must not be in doubt. The
 * order is read from one log the transcript (raw writes) and the outbox share, both called on the session's
 * thread, so no timing is involved.
 */
class SendingBeforeTheDotTest {
    /** Writes and outbox calls in order: "content 5", "sending 1", "dot 3", "finished 1", "failed 1 at CONTENT" … */
    private static final class Log implements Transcript, Outbox<RuntimeException> {
        final List<String> events = new ArrayList<>();
        private final List<Mail> mails;
        private int handed;

        Log(List<Mail> mails) { this.mails = mails; }

        private String n(Mail m) { return String.valueOf(mails.indexOf(m) + 1); }

        @Override public void client(String line) { }

        @Override public void server(String line) { }

        @Override public void wrote(Step step, int octets) { events.add((step == Step.CONTENT ? "content " : "dot ") + octets); }

        @Override public Mail next() { return handed < mails.size() ? mails.get(handed++) : null; }

        @Override public void sending(Mail m, List<Exchange> replies) { events.add("sending " + n(m)); }

        @Override public void finished(Mail m, Delivery d) { events.add("finished " + n(m)); }

        @Override public void failed(Mail m, SmtpIOException e) { events.add("failed " + n(m) + " at " + e.step()); }

        @Override public void unsent(Mail m) { events.add("unsent " + n(m)); }
    }

    /** A message to {@code to} whose content (CRLF lines, no leading dot) is {@code body} octet for octet. */
    private static Mail mail(String to, String body) throws UnsendableMessageException {
        return Mail.of("from@example.com", List.of(to), body.getBytes(StandardCharsets.US_ASCII));
    }

    /** Sends {@code mails} on one session and returns the log. */
    private static List<String> pump(ScriptedSmtpServer server, List<Mail> mails) throws SmtpSessionException {
        SmtpSettings settings = new SmtpSettings("127.0.0.1", server.port(), Security.NONE, null, AuthMechanism.AUTO, null, false,
                Duration.ofSeconds(10), "client.test");
        Log log = new Log(mails);
        SmtpSession session = new SmtpClient(settings).open("t", log);
        session.pump(log);
        session.quit();
        return log.events;
    }

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {false, true})
    void outboxHearsOfEachMessageAfterItsContentAndBeforeItsFinalDot(boolean pipelining) throws Exception {
        // the second is larger than the connection's buffer: its content goes straight to the socket
        String small = "one\r\n";
        String large = ("x".repeat(78) + "\r\n").repeat(500);
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().pipelining(pipelining)) {
            List<String> events = pump(server, List.of(mail("a@example.com", small), mail("b@example.com", large)));
            assertEquals(List.of("content 5", "sending 1", "dot 3", "finished 1", "content 40000", "sending 2", "dot 3", "finished 2"), events);
            assertEquals(List.of(new Received("from@example.com", List.of("a@example.com"), small),
                    new Received("from@example.com", List.of("b@example.com"), large)), server.received());
        }
    }

    @ParameterizedTest(name = "{0}, pipelining={1}")
    @CsvSource(delimiter = '|', value = {
        "REFUSED_AT_DATA   | false | finished 1; content 8; sending 2; dot 3; finished 2",
        "REFUSED_AT_DATA   | true  | finished 1; content 8; sending 2; dot 3; finished 2",
        "OK_INSTEAD_OF_354 | false | failed 1 at DATA",
        "OK_INSTEAD_OF_354 | true  | failed 1 at DATA; unsent 2",
        "DROP_AT_DATA      | false | failed 1 at DATA",
        "DROP_AT_DATA      | true  | failed 1 at DATA; unsent 2"})
    void noSendingForAMessageThatGetsNo354(Fault fault, boolean pipelining, String expected) throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().pipelining(pipelining).fault(1, fault)) {
            List<String> events = pump(server, List.of(mail("a@example.com", "first\r\n"), mail("b@example.com", "second\r\n")));
            assertEquals(List.of(expected.split("; ")), events);
        }
    }

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {false, true})
    void noSendingForAMessageWhoseEveryRecipientWasRefusedEvenIfTheServerSays354(boolean pipelining) throws Exception {
        // pipelined, DATA is already on its way: this server says 354 anyway, and gets a lone "." without content
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().pipelining(pipelining).fault(1, Fault.DATA_WITHOUT_RECIPIENTS)
                .rejectRecipient("a@example.com", "550 5.1.1 No such user")) {
            List<String> events = pump(server, List.of(mail("a@example.com", "first\r\n"), mail("b@example.com", "second\r\n")));
            assertEquals(List.of("finished 1", "content 8", "sending 2", "dot 3", "finished 2"), events);
        }
    }

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {false, true})
    void noSendingForAMessageWhoseContentCannotBeWritten(boolean pipelining) throws Exception {
        // the server resets the connection after one line of content; 24 MB cannot all fit in the socket buffers
        String huge = ("y".repeat(78) + "\r\n").repeat(300_000);
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().pipelining(pipelining).fault(1, Fault.DROP_IN_DATA)) {
            List<String> events = pump(server, List.of(mail("a@example.com", huge), mail("b@example.com", "second\r\n")));
            assertEquals(pipelining ? List.of("failed 1 at CONTENT", "unsent 2") : List.of("failed 1 at CONTENT"), events);
        }
    }
}
