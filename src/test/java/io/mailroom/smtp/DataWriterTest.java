package io.mailroom.smtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DataWriterTest {

    private static String wire(String message) throws UnsendableMessageException {
        return new String(DataWriter.encode(message.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    @Test
    void leadingDotsAreStuffedAndStreamIsTerminated() throws UnsendableMessageException {
        assertEquals("a\r\n..\r\n..b\r\n...\r\n.\r\n", wire("a\r\n.\r\n.b\r\n..\r\n"));
    }

    @Test
    void everyLineEndingBecomesCrlf() throws UnsendableMessageException {
        assertEquals("a\r\nb\r\nc\r\nd\r\n.\r\n", wire("a\nb\rc\r\nd"));
    }

    @Test
    void lineOf998OctetsPassesAndLongerIsRefused() throws UnsendableMessageException {
        assertTrue(wire("x".repeat(998)).startsWith("x".repeat(998) + "\r\n"));
        UnsendableMessageException e = assertThrows(UnsendableMessageException.class, () -> wire("ok\r\n" + "x".repeat(999)));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }

    /** Random bodies of dots, CR, LF and text: what a server un-stuffs is the message with CRLF line endings. */
    @Test
    void randomBodiesSurviveTheRoundTrip() throws UnsendableMessageException {
        Random random = new Random(5321);
        String alphabet = ".\r\n a.Z";
        for (int round = 0; round < 2000; round++) {
            StringBuilder body = new StringBuilder();
            int length = random.nextInt(60);
            for (int i = 0; i < length; i++) body.append(alphabet.charAt(random.nextInt(alphabet.length())));
            byte[] encoded = DataWriter.encode(body.toString().getBytes(StandardCharsets.US_ASCII));
            assertWireSafe(encoded);
            assertArrayEquals(expected(body.toString()), unstuff(encoded), "body: " + body.toString().replace("\r", "\\r").replace("\n", "\\n"));
        }
    }

    private static void assertWireSafe(byte[] wire) {
        for (int i = 0; i < wire.length; i++) {
            if (wire[i] == '\r') assertEquals('\n', wire[i + 1], "bare CR at " + i);
            if (wire[i] == '\n') assertEquals('\r', wire[i - 1], "bare LF at " + i);
        }
    }

    /** The message a receiver reconstructs: CR, LF and CRLF are each one line break; a final break is implied. */
    private static byte[] expected(String body) {
        String normalized = body.replace("\r\n", "\n").replace('\r', '\n');
        if (!normalized.isEmpty() && !normalized.endsWith("\n")) normalized += "\n";
        return normalized.replace("\n", "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** What a receiving server does (RFC 5321 section 4.5.2): drop the terminator, remove one leading dot per line. */
    private static byte[] unstuff(byte[] wire) {
        String s = new String(wire, StandardCharsets.US_ASCII);
        assertTrue(s.endsWith(".\r\n"));
        s = s.substring(0, s.length() - 3);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : s.split("\r\n", -1)) {
            if (line.isEmpty() && out.size() == 0 && s.isEmpty()) break;
            out.writeBytes((line.startsWith(".") ? line.substring(1) : line).getBytes(StandardCharsets.US_ASCII));
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        byte[] all = out.toByteArray();
        // split leaves one empty element after the last CRLF: drop its CRLF
        return s.isEmpty() ? new byte[0] : java.util.Arrays.copyOf(all, all.length - 2);
    }
}
