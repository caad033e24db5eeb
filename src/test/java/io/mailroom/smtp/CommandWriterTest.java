package io.mailroom.smtp;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandWriterTest {

    @Test
    void commandsWithLineBreaksControlsOrNonAsciiNeverReachTheWire() {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        CommandWriter writer = new CommandWriter(wire, Transcript.NONE);
        // U+560D and U+560A narrow to CR and LF when cut to one byte (the CVE-2025-7962 class)
        for (String bad : List.of("RCPT TO:<a@b.c>\r\nDATA", "MAIL FROM:<a@b.c>\n", "RCPT TO:<a\u0000@b.c>", "RCPT TO:<a\u560D\u560A@b.c>", "RCPT TO:<é@b.c>")) {
            assertThrows(IllegalArgumentException.class, () -> writer.write(bad), bad);
        }
        assertEquals(0, wire.size());
    }

    @Test
    void envelopeAddressesWithBracketsOrSpacesAreRefusedBeforeSending() {
        for (String bad : List.of("a@b.c> NOTIFY=NEVER", "<a@b.c", "a b@c.d", "a@b.c\r\n", "x\u560A@b.c", "nodomain", "@b.c", "a@")) {
            assertThrows(UnsendableMessageException.class, () -> Addresses.requireSendable(bad, false), bad);
        }
        assertDoesNotThrow(() -> Addresses.requireSendable("first.last+tag@sub.example.com", false));
        assertDoesNotThrow(() -> Addresses.requireSendable("", true));
    }
}
