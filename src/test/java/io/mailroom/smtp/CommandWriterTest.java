package io.mailroom.smtp;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandWriterTest {

    @Test
    void commandsWithLineBreaksOrControlCharactersNeverReachTheWire() {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        CommandWriter writer = new CommandWriter(wire, Transcript.NONE);
        for (String bad : List.of("RCPT TO:<a@b.c>\r\nDATA", "MAIL FROM:<a@b.c>\n", "RCPT TO:<a\u0000@b.c>", "RCPT TO:<a\u0085@b.c>",
                "RCPT TO:<a\u2028@b.c>", "RCPT TO:<a\u001b@b.c>")) {
            assertThrows(IllegalArgumentException.class, () -> writer.write(bad), bad);
        }
        assertEquals(0, wire.size());
    }

    /** U+560D and U+560A end in 0x0D and 0x0A: narrowed to one byte they would end the command (the CVE-2025-7962 class). */
    @Test
    void nonAsciiIsWrittenAsUtf8AndNeverNarrowedToALineBreak() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        String command = "RCPT TO:<a\u560D\u560A@b.c>";
        new CommandWriter(wire, Transcript.NONE).write(command);
        byte[] bytes = wire.toByteArray();
        assertEquals(command + "\r\n", new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
        for (int i = 0; i < bytes.length - 2; i++) {
            assertTrue(bytes[i] != '\r' && bytes[i] != '\n', "line break byte at " + i);
        }
    }

    @Test
    void envelopeAddressesWithBracketsOrSpacesAreRefusedBeforeSending() {
        for (String bad : List.of("a@b.c> NOTIFY=NEVER", "<a@b.c", "a b@c.d", "a@b.c\r\n", "x\u2028@b.c", "x\u0085@b.c", "nodomain", "@b.c", "a@")) {
            assertThrows(UnsendableMessageException.class, () -> Addresses.requireSendable(bad, false), bad);
        }
        assertDoesNotThrow(() -> Addresses.requireSendable("first.last+tag@sub.example.com", false));
        assertDoesNotThrow(() -> Addresses.requireSendable("", true));
    }
}
