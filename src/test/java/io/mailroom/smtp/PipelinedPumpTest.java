package io.mailroom.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailroom.testing.ScriptedSmtpServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a pipelined session asks of its outbox, and when: the outbox's work overlaps the round trip. */
class PipelinedPumpTest {
    /** Records every outbox call as "next 1", "finished 1", …; hands out {@code count} messages. */
    private static final class Recording implements Outbox<RuntimeException> {
        final List<String> calls = new ArrayList<>();
        final List<Mail> mails = new ArrayList<>();
        private int handed;

        Recording(int count) throws UnsendableMessageException {
            for (int i = 1; i <= count; i++) {
                mails.add(Mail.of("from@example.com", List.of("to" + i + "@example.com"), ("body " + i + "\r\n").getBytes(StandardCharsets.US_ASCII)));
            }
        }

        private String n(Mail m) { return String.valueOf(mails.indexOf(m) + 1); }

        @Override public Mail next() {
            if (handed == mails.size()) {
                calls.add("next none");
                return null;
            }
            calls.add("next " + (handed + 1));
            return mails.get(handed++);
        }

        @Override public void sending(Mail m, List<Exchange> replies) { calls.add("sending " + n(m)); }

        @Override public void finished(Mail m, Delivery d) { calls.add("finished " + n(m) + " " + d.exchanges().get(d.exchanges().size() - 1).reply().code()); }

        @Override public void failed(Mail m, SmtpIOException e) { calls.add("failed " + n(m) + " at " + e.step()); }

        @Override public void unsent(Mail m) { calls.add("unsent " + n(m)); }
    }

    private static SmtpSession open(ScriptedSmtpServer server) throws SmtpSessionException {
        SmtpSettings settings = new SmtpSettings("127.0.0.1", server.port(), Security.NONE, null, AuthMechanism.AUTO, null, false,
                Duration.ofSeconds(10), "client.test");
        return new SmtpClient(settings).open("t", Transcript.NONE);
    }

    @Test
    void nextMessageIsTakenWhileTheServerAnswersTheCurrentOne() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().pipelining(true)) {
            SmtpSession session = open(server);
            Recording outbox = new Recording(2);
            session.pump(outbox);
            session.quit();
            assertEquals(List.of("next 1", "next 2", "sending 1", "next none", "finished 1 250", "sending 2", "finished 2 250"), outbox.calls);
            assertEquals(2, server.received().size());
        }
    }

    @Test
    void messageInHandWhenTheServerClosesIsGivenBackUnsent() throws Exception {
        // the server answers the second MAIL with 421 and hangs up: the second fails, the third was never begun
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().pipelining(true).closeAfter(1)) {
            SmtpSession session = open(server);
            Recording outbox = new Recording(3);
            session.pump(outbox);
            session.close();
            assertEquals(List.of("next 1", "next 2", "sending 1", "next 3", "finished 1 250", "failed 2 at RCPT", "unsent 3"), outbox.calls);
            assertEquals(1, server.received().size());
        }
    }
}
