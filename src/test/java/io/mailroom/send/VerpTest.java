package io.mailroom.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each attempt's return path names its row and attempt, and only the job's key makes one that reads back. */
class VerpTest {
    private final Verp verp = new Verp("a job's secret".getBytes(StandardCharsets.UTF_8));

    @Test
    void aReturnPathReadsBackAsItsRowAndAttemptAndCarriesNoAddress() {
        String path = verp.returnPath("bounces@example.com", 123456, 2);
        assertTrue(path.matches("bounces\\+r2n9ca2-[a-z2-7]{8}@example\\.com"), path);
        assertEquals(Optional.of(new Verp.Attempt(123456, 2)), verp.attempt(path));
        assertEquals(Optional.of(new Verp.Attempt(123456, 2)), verp.attempt(path.toUpperCase(java.util.Locale.ROOT)), "a server may change its case");
        String tagged = verp.returnPath("team+news@example.com", 7, 1);
        assertTrue(tagged.startsWith("team+news+r7a1-"), tagged);
        assertEquals(Optional.of(new Verp.Attempt(7, 1)), verp.attempt(tagged));
        assertNull(verp.returnPath(null, 1, 1), "the null reverse path stays null");
    }

    @Test
    void aMadeUpOrTamperedTokenNamesNothing() {
        String path = verp.returnPath("bounces@example.com", 42, 1);
        String otherRow = path.replace("+r16a1-", "+r17a1-");
        assertEquals(Optional.empty(), verp.attempt(otherRow));
        assertEquals(Optional.empty(), new Verp("another job".getBytes(StandardCharsets.UTF_8)).attempt(path));
        assertEquals(Optional.empty(), verp.attempt("bounces@example.com"));
        assertEquals(Optional.empty(), verp.attempt("bounces+r16a1-zzzz@example.com"));
    }
}
