package io.mailroom.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.mailroom.store.RateLedger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateLimitTest {
    private static final Instant T = Instant.parse("2026-11-22T10:00:00Z");

    private static RateLimit.Limit messages(int n, Duration window) {
        return new RateLimit.Limit(n, window, false);
    }

    @Test
    void limitsParseFromTheJobKeyAndBadOnesAreRefused() {
        assertEquals(List.of(messages(20, Duration.ofSeconds(1)), messages(500, Duration.ofDays(1))), RateLimit.parse("20/second, 500/day", false));
        assertEquals(List.of(messages(100, Duration.ofMinutes(1))), RateLimit.parse("100 / minutes", false));
        assertEquals(List.of(messages(50, Duration.ofMinutes(5)), messages(7, Duration.ofSeconds(30)), messages(3, Duration.ofDays(2))),
                RateLimit.parse("50/5m, 7/30s, 3/2 days", false));
        assertEquals(List.of(new RateLimit.Limit(10_000, Duration.ofDays(1), true)), RateLimit.parse("10000/day", true));
        assertNull(RateLimit.parse("fast", false));
        assertNull(RateLimit.parse("0/second", false));
        assertNull(RateLimit.parse("10/0m", false));
        assertNull(RateLimit.parse("10/fortnight", false));
    }

    @Test
    void aLimitIsWrittenBackAsTheJobFileWouldSayIt() {
        for (String key : List.of("20/second", "30/minute", "2000/hour", "500/day", "50/5m", "7/30s", "3/2d", "10/90m")) {
            assertEquals(key, RateLimit.parse(key, false).get(0).toKey());
        }
        assertEquals("10/90m", RateLimit.parse("10/90 minutes", false).get(0).toKey());
    }

    @Test
    void aFullWindowWaitsUntilItsOldestMessageSlidesOut() {
        RateLimit r = new RateLimit(RateLimit.parse("2/second", false), List.of());
        assertEquals(Duration.ZERO, r.waitAt(T, 1));
        r.sentAt(T, 1);
        r.sentAt(T.plusMillis(300), 1);
        assertEquals(Duration.ofMillis(1050), r.waitAt(T.plusMillis(300), 1).plusMillis(300), "a second, and a twentieth of it to spare");
        assertEquals(Duration.ofMillis(1), r.waitAt(T.plusMillis(1049), 1), "the server may see the first a moment after it was counted");
        assertEquals(Duration.ZERO, r.waitAt(T.plusMillis(1051), 1));
    }

    @Test
    void aFiveMinuteWindowIsOneWindowNotFiveMinutes() {
        RateLimit r = new RateLimit(RateLimit.parse("3/5m", false), List.of());
        r.sentAt(T, 1);
        r.sentAt(T.plus(Duration.ofMinutes(2)), 1);
        r.sentAt(T.plus(Duration.ofMinutes(4)), 1);
        assertEquals(Duration.ofSeconds(61), r.waitAt(T.plus(Duration.ofMinutes(4)), 1), "the first leaves the window at 5 minutes (and a second to spare)");
        assertEquals(Duration.ZERO, r.waitAt(T.plus(Duration.ofMinutes(5)).plusMillis(1001), 1));
    }

    @Test
    void recipientLimitsCountEveryAddressInTheEnvelope() {
        RateLimit r = new RateLimit(RateLimit.parse("6/second", true), List.of());
        r.sentAt(T, 3);
        assertEquals(Duration.ZERO, r.waitAt(T, 3), "To, Cc and Bcc: 3 of 6");
        r.sentAt(T, 3);
        assertEquals(Duration.ofMillis(1050), r.waitAt(T, 1), "6 of 6 recipients used, though only 2 messages went");
        r = new RateLimit(RateLimit.parse("6/second", true), List.of(new RateLedger.Send(T, 4)));
        assertEquals(Duration.ofMillis(1049), r.waitAt(T.plusMillis(1), 3), "4 + 3 is over 6: until the 4 leave the window");
        assertEquals(Duration.ZERO, r.waitAt(T.plusMillis(1), 2));
    }

    @Test
    void aMessageOverARecipientLimitOnItsOwnGoesWhenTheWindowIsEmpty() {
        RateLimit r = new RateLimit(RateLimit.parse("2/second", true), List.of(new RateLedger.Send(T, 1)));
        assertEquals(Duration.ofMillis(1050), r.waitAt(T, 5));
        assertEquals(Duration.ZERO, r.waitAt(T.plusMillis(1051), 5));
    }

    @Test
    void earlierRunsCountAndTheLongestWaitWins() {
        RateLimit r = new RateLimit(RateLimit.parse("10/second, 3/day", false), List.of(new RateLedger.Send(T.minus(Duration.ofHours(20)), 1),
                new RateLedger.Send(T.minus(Duration.ofHours(2)), 1), new RateLedger.Send(T.minus(Duration.ofHours(1)), 1)));
        assertEquals(Duration.ofHours(4).plusSeconds(1), r.waitAt(T, 1), "the oldest of this day's three leaves the window in 4 hours");
    }
}
