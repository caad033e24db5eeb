package io.mailroom.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateLimitTest {
    private static final Instant T = Instant.parse("2026-11-22T10:00:00Z");

    @Test
    void limitsParseFromTheJobKeyAndBadOnesAreRefused() {
        assertEquals(List.of(new RateLimit.Limit(20, Duration.ofSeconds(1)), new RateLimit.Limit(500, Duration.ofDays(1))),
                RateLimit.parse("20/second, 500/day"));
        assertEquals(List.of(new RateLimit.Limit(100, Duration.ofMinutes(1))), RateLimit.parse("100 / minutes"));
        assertNull(RateLimit.parse("fast"));
        assertNull(RateLimit.parse("0/second"));
        assertNull(RateLimit.parse("10/fortnight"));
    }

    @Test
    void aFullWindowWaitsUntilItsOldestMessageSlidesOut() {
        RateLimit r = new RateLimit(RateLimit.parse("2/second"), List.of());
        assertEquals(Duration.ZERO, r.waitAt(T));
        r.sentAt(T);
        r.sentAt(T.plusMillis(300));
        assertEquals(Duration.ofSeconds(1), r.waitAt(T.plusMillis(300)).plusMillis(300));
        assertEquals(Duration.ZERO, r.waitAt(T.plusMillis(1001)));
    }

    @Test
    void earlierRunsCountAndTheLongestWaitWins() {
        RateLimit r = new RateLimit(RateLimit.parse("10/second, 3/day"), List.of(T.minus(Duration.ofHours(20)), T.minus(Duration.ofHours(2)),
                T.minus(Duration.ofHours(1))));
        assertEquals(Duration.ofHours(4), r.waitAt(T), "the oldest of this day's three leaves the window in 4 hours");
    }
}
