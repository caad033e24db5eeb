package io.mailroom.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.ScriptedSmtpServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random bodies full of dots, CR, LF and long lines, sent through a real session to a server: what the
 * server un-stuffs is exactly the message with CRLF line endings, and a line over 998 octets never leaves.
 */
class SessionRoundTripTest {

    private static List<Mail> outbox(List<String> bodies) throws UnsendableMessageException {
        List<Mail> mails = new ArrayList<>();
        for (String body : bodies) mails.add(Mail.of("from@example.com", List.of("to@example.com"), body.getBytes(StandardCharsets.UTF_8)));
        return mails;
    }

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {false, true})
    void randomBodiesArriveExactlyAsRendered(boolean pipelining) throws Exception {
        Random random = new Random(2920 + (pipelining ? 1 : 0));
        List<String> bodies = new ArrayList<>();
        int refused = 0;
        String[] pieces = {".", "..", "\r", "\n", "\r\n", " ", "x", "From ", "é", "\u560D"};
        while (bodies.size() < 150) {
            StringBuilder b = new StringBuilder();
            int n = random.nextInt(40);
            for (int i = 0; i < n; i++) b.append(pieces[random.nextInt(pieces.length)]);
            if (random.nextInt(10) == 0) b.append("y".repeat(990 + random.nextInt(20)));
            try {
                Mail.of("from@example.com", List.of("to@example.com"), b.toString().getBytes(StandardCharsets.UTF_8));
                bodies.add(b.toString());
            } catch (UnsendableMessageException e) {
                assertTrue(longestLine(b.toString()) > 998, "refused only for a long line: " + e.getMessage());
                refused++;
            }
        }
        assertTrue(refused > 0, "the generator produced lines over 998 octets");

        try (ScriptedSmtpServer server = new ScriptedSmtpServer().pipelining(pipelining)) {
            SmtpSettings settings = new SmtpSettings("127.0.0.1", server.port(), Security.NONE, null, AuthMechanism.AUTO, null, false,
                    Duration.ofSeconds(10), "client.test");
            SmtpSession session = new SmtpClient(settings).open("t", Transcript.NONE);
            List<Mail> mails = outbox(bodies);
            List<Delivery> done = new ArrayList<>();
            session.pump(new Outbox<RuntimeException>() {
                int next;

                @Override public Mail next() { return next < mails.size() ? mails.get(next++) : null; }

                @Override public void sending(Mail mail, List<Exchange> replies) { }

                @Override public void finished(Mail mail, Delivery d) { done.add(d); }

                @Override public void failed(Mail mail, SmtpIOException e) { throw new AssertionError(e); }

                @Override public void unsent(Mail mail) { throw new AssertionError("unsent"); }
            });
            session.quit();
            assertEquals(bodies.size(), done.size());
            List<ScriptedSmtpServer.Received> got = server.received();
            for (int i = 0; i < bodies.size(); i++) assertEquals(crlf(bodies.get(i)), got.get(i).content(), "body " + i);
        }
    }

    @Test
    void lineOverTheLimitIsRefusedBeforeAnyAttempt() {
        assertThrows(UnsendableMessageException.class,
                () -> Mail.of("a@b.c", List.of("d@e.f"), ("ok\r\n" + "z".repeat(999)).getBytes(StandardCharsets.US_ASCII)));
    }

    /** The message a receiver reconstructs: each CR, LF or CRLF is one line break; a final break is implied. */
    private static String crlf(String body) {
        String s = body.replace("\r\n", "\n").replace('\r', '\n');
        if (!s.isEmpty() && !s.endsWith("\n")) s += "\n";
        return s.replace("\n", "\r\n");
    }

    private static int longestLine(String s) {
        int longest = 0;
        for (String line : s.split("\r\n|\r|\n")) longest = Math.max(longest, line.getBytes(StandardCharsets.UTF_8).length);
        return longest;
    }
}
