package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What the terminal gets from standard output and error, bytes fed in pieces as a writer flushes them. */
class EscapingStreamTest {
    private final ByteArrayOutputStream terminal = new ByteArrayOutputStream();
    private final EscapingStream stream = new EscapingStream(terminal);

    private EscapingStreamTest write(int... bytes) throws IOException {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) b[i] = (byte) bytes[i];
        stream.write(b);
        stream.flush();
        return this;
    }

    private EscapingStreamTest write(String text) throws IOException {
        stream.write(text.getBytes(StandardCharsets.UTF_8));
        stream.flush();
        return this;
    }

    private String shown() {
        return terminal.toString(StandardCharsets.UTF_8);
    }

    @Test
    void c1ControlSplitAcrossTwoWritesIsEscaped() throws IOException {
        write("csi:").write(0xc2).write(0x9b, '2', 'J', 0xc3).write(0xa9, '\n');
        assertEquals("csi:\\x9b2Jé\n", shown(), "U+009B (CSI) escaped; é, split the same way, passes as it is");
    }

    @Test
    void crlfStaysEvenSplitAcrossWritesWhileABareCrIsEscaped() throws IOException {
        write("row 2\r").write("\nsent\rfailed\r").write("\n");
        assertEquals("row 2\r\nsent\\x0dfailed\r\n", shown());
    }

    @Test
    void escapeSequencesAndBidiControlsAreEscapedAndTabAndLineFeedStay() throws IOException {
        write("a\u001b]0;pwned\u0007\tb\u001b[2J\u007f\n").write(0xe2, 0x80).write(0xae).write("txt.exe\u2066\u2028\n");
        assertEquals("a\\x1b]0;pwned\\x07\tb\\x1b[2J\\x7f\n\\u202etxt.exe\\u2066\\u2028\n", shown());
    }

    @Test
    void bytesThatAreNoUtf8CharacterAreEscapedOneByOne() throws IOException {
        // an overlong ESC, a stray C1 byte, a character cut short: a lenient terminal might act on any of them
        write(0xc0, 0x9b, '[', 0x9b, 0xe2, 0x80, 'x', 0xff, '\n');
        assertEquals("\\xc0\\x9b[\\x9b\\xe2\\x80x\\xff\n", shown());
    }

    @Test
    void closeWritesWhatWaitsEscapedAndLeavesTheTerminalOpen() throws IOException {
        boolean[] closed = {false};
        java.io.PrintStream out = EscapingStream.over(new java.io.FilterOutputStream(terminal) {
            @Override public void close() { closed[0] = true; }
        });
        out.print("50%\r");
        out.close();
        assertEquals("50%\\x0d", shown());
        assertFalse(closed[0], "standard output belongs to the process, not to one command");
    }
}
