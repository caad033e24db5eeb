package io.mailroom.dkim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

/** The relaxed canonicalizations, on RFC 6376 §3.4.6's own example. */
class RelaxedTest {
    @Test
    void headersAreLowerCasedUnfoldedAndTheirWhiteSpaceCollapsedAsInTheRfcExample() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Relaxed.header("A: X".getBytes(StandardCharsets.US_ASCII), out);
        Relaxed.header("B : Y\t\r\n\tZ  ".getBytes(StandardCharsets.US_ASCII), out);
        assertEquals("a:X\r\nb:Y Z\r\n", out.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void bodyLinesLoseTrailingWhiteSpaceAndTheBodyItsEmptyLinesAtTheEndAsInTheRfcExample() throws Exception {
        MessageDigest got = MessageDigest.getInstance("SHA-256");
        Relaxed.body(" C \r\nD \t E\r\n\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0, got);
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(" C\r\nD E\r\n".getBytes(StandardCharsets.US_ASCII)), got.digest());
    }

    @Test
    void aBodyWithoutAFinalLineBreakGetsOne() throws Exception {
        MessageDigest got = MessageDigest.getInstance("SHA-256");
        Relaxed.body("end".getBytes(StandardCharsets.US_ASCII), 0, got);
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest("end\r\n".getBytes(StandardCharsets.US_ASCII)), got.digest());
    }
}
