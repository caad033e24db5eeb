package io.mailroom.send;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailroom.smtp.SmtpReply;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which replies ask the sender to slow down, and how the run's pace answers them. */
class ThrottlingTest {
    private static Optional<String> meaning(int code, String enhanced, String text) {
        return Throttling.meaning(SmtpReply.of(code, enhanced, text));
    }

    @Test
    void providersRateRepliesAreThrottlingAndOrdinaryDeferralsAreNot() {
        assertEquals(Optional.of("Gmail: unusual rate of mail from this sender"),
                meaning(451, "4.7.28", "Our system has detected an unusual rate of unsolicited mail"));
        assertEquals(Optional.of("Exchange Online: the account or server is throttled (4.7.5xx)"), meaning(451, "4.7.500", "Server busy. Please try again later"));
        assertEquals(Optional.of("too many recipients"), meaning(452, "4.5.3", "Too many recipients"));
        assertEquals(Optional.of("the server limits how fast this sender may send"), meaning(421, "4.7.0", "mx.example Error: too much mail from 127.0.0.1"));
        assertEquals(Optional.of("the server limits how fast this sender may send"), meaning(421, "4.7.0", "Try again later, closing connection"));
        assertEquals(Optional.of("the server limits how fast this sender may send"), meaning(450, null, "Rate limit exceeded"));

        assertEquals(Optional.empty(), meaning(451, "4.3.0", "Temporary local problem - please try later"), "a server's own trouble");
        assertEquals(Optional.empty(), meaning(421, "4.7.0", "Too many messages for this connection, closing"), "a new session is the answer");
        assertEquals(Optional.empty(), meaning(451, "4.7.1", "Greylisting in action, please try again later"), "the same message later is the answer");
        assertEquals(Optional.empty(), meaning(450, "4.2.1", "Mailbox busy, try again later"), "one mailbox, not the sender");
        assertEquals(Optional.empty(), meaning(550, "5.7.1", "Too many messages: rejected"), "a verdict, not a request to slow down");
        assertEquals(Optional.empty(), meaning(250, "2.0.0", "Ok: queued, not too fast"));
    }

    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

    @Test
    void aThrottledRunPausesThenGoesAtHalfItsPaceAndRecoversAThirdEachQuietMinute() {
        Pace pace = new Pace();
        for (int i = 0; i < 12; i++) pace.started(T0.plusSeconds(5L * i)); // 12 in the last minute: 0.2 a second
        Instant at = T0.plusSeconds(56);
        Pace.Slowed slowed = pace.throttled(at);

        assertEquals(at.plus(Pace.PAUSE), slowed.resumeAt());
        assertEquals(0.1, slowed.perSecond(), 1e-9);
        assertEquals(Pace.PAUSE, pace.waitAt(at));
        assertEquals(null, pace.throttled(at.plusSeconds(1)), "a reply to another message of the same moment changes nothing");

        Instant resumed = slowed.resumeAt();
        assertEquals(Duration.ZERO, pace.waitAt(resumed), "the last message went before the pause");
        pace.started(resumed);
        assertEquals(Duration.ofSeconds(10), pace.waitAt(resumed), "a message every 10 s");
        assertEquals(0.1 * 4 / 3, pace.perSecond(resumed.plus(Pace.QUIET)), 1e-9);
        assertEquals(0.1 * 16 / 9, pace.perSecond(resumed.plus(Pace.QUIET.multipliedBy(2))), 1e-9);
        assertEquals(0, pace.perSecond(resumed.plus(Pace.QUIET.multipliedBy(3))), "back at 0.2 a second: no pace but the run's own");
        assertEquals(Duration.ZERO, pace.waitAt(resumed.plus(Pace.QUIET.multipliedBy(3))));
    }

    @Test
    void aSecondThrottlingAfterThePauseHalvesThePaceAgainButNeverBelowAMessageAMinute() {
        Pace pace = new Pace();
        pace.started(T0);
        Pace.Slowed first = pace.throttled(T0);
        assertEquals(1.0 / 60, first.perSecond(), 1e-9, "one message in the last minute: already the slowest");
        Pace.Slowed second = pace.throttled(first.resumeAt());
        assertEquals(1.0 / 60, second.perSecond(), 1e-9);
        assertEquals(first.resumeAt().plus(Pace.PAUSE), second.resumeAt());
    }
}
