package io.mailroom.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mailroom.smtp.Security;
import io.mailroom.smtp.SmtpClient;
import io.mailroom.smtp.SmtpSession;
import io.mailroom.smtp.SmtpSessionException;
import io.mailroom.smtp.SmtpSettings;
import io.mailroom.smtp.Transcript;
import io.mailroom.testing.MutableClock;
import io.mailroom.testing.ScriptedSmtpServer;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionsTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
    private final List<Duration> waits = new ArrayList<>();

    private Sessions sessions(int port) {
        SmtpSettings settings = new SmtpSettings("127.0.0.1", port, Security.NONE, null, io.mailroom.smtp.AuthMechanism.AUTO, null, false, Duration.ofSeconds(5), "client.test");
        return new Sessions(new SmtpClient(settings), 0, Duration.ofSeconds(30), () -> "1.1", id -> Transcript.NONE, clock, waits::add);
    }

    @Test
    void sessionIdleLongerThanTheProbeTimeAnswersNoopBeforeReuse() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(); Sessions sessions = sessions(server.port())) {
            SmtpSession first = sessions.acquire();
            sessions.finishedOne();
            clock.advance(Duration.ofSeconds(20));
            assertSame(first, sessions.acquire());
            assertEquals(0, server.clientLines().stream().filter("NOOP"::equals).count(), "not idle long enough");
            clock.advance(Duration.ofSeconds(31));
            assertSame(first, sessions.acquire());
            assertEquals(1, server.clientLines().stream().filter("NOOP"::equals).count());
        }
    }

    @Test
    void reconnectingWaitsLongerEachTimeAndGivesUpAfterFourFailures() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        try (Sessions sessions = sessions(closed)) {
            SmtpSessionException e = assertThrows(SmtpSessionException.class, sessions::acquire);
            assertEquals(SmtpSessionException.Kind.UNREACHABLE, e.kind());
        }
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4)), waits);
    }

    @Test
    void backoffIsCappedAtThirtySeconds() {
        assertEquals(Duration.ofSeconds(1), Sessions.backoff(1));
        assertEquals(Duration.ofSeconds(16), Sessions.backoff(5));
        assertEquals(Duration.ofSeconds(30), Sessions.backoff(9));
    }
}
