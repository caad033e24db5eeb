package io.mailroom.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class WriteAheadTest {
    private static final long MICROS = 1_000;

    @Test
    void automaticStartsWithOneMessageUntilItHasMeasured() {
        assertEquals(1, new WriteAhead(0).size());
    }

    @Test
    void slowLinkWritesEveryMessageAheadAlone() {
        WriteAhead w = new WriteAhead(0);
        w.measured(300 * MICROS, 1, 20_000 * MICROS);
        assertEquals(1, w.size());
    }

    @Test
    void fastRelayBatchesSoTheCommitIsAboutATenthOfTheSendingCappedAtEight() {
        WriteAhead w = new WriteAhead(0);
        w.measured(100 * MICROS, 4, 4 * 500 * MICROS);
        assertEquals(2, w.size());
        w.measured(300 * MICROS, 16, 16 * 60 * MICROS);
        assertEquals(WriteAhead.MOST, w.size());
    }

    @Test
    void aFixedSizeIgnoresMeasurements() {
        WriteAhead w = new WriteAhead(3);
        w.measured(300 * MICROS, 16, 16 * 60 * MICROS);
        assertEquals(3, w.size());
    }
}
