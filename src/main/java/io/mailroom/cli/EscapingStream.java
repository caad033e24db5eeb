package io.mailroom.cli;

import io.mailroom.report.Display;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Standard output or error as the terminal gets it: every control character ({@link Display}'s rule) is
 * written escaped, whoever printed it: a row problem quoting a key, an error quoting a CSV value or a server
 * reply, the --verbose transcript, a report. Only what text itself needs stays raw: tab, line feed, and a
 * carriage return directly followed by a line feed (the CSV report ends its records with CRLF).
 *
 * <p>Bytes are read as UTF-8, which is what mailroom writes. A byte that is not part of a well-formed UTF-8
 * character (an overlong form, a stray continuation byte) is escaped on its own as {@code \xNN}, so what
 * passes is exactly what a terminal decodes. A C1 character or a CR may arrive split across write() calls:
 * the unfinished character or the CR waits for the next byte; flush() keeps it waiting, close() writes it
 * escaped. close() leaves the underlying stream open: it belongs to the process, not to one command.
 */
final class EscapingStream extends FilterOutputStream {
    private final byte[] pending = new byte[4];
    private int have;
    private int need;
    private int low;
    private int high;
    private boolean cr;

    EscapingStream(OutputStream out) {
        super(out);
    }

    /** A UTF-8 print stream that escapes before writing to {@code out}; autoflush, like the terminal's own. */
    static PrintStream over(OutputStream out) {
        return new PrintStream(new EscapingStream(out), true, StandardCharsets.UTF_8);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ByteArrayOutputStream shown = new ByteArrayOutputStream(len + 16);
        for (int i = off; i < off + len; i++) take(b[i] & 0xff, shown);
        shown.writeTo(out);
    }

    private void take(int b, ByteArrayOutputStream shown) {
        if (have > 0) {
            if (b >= low && b <= high) {
                pending[have++] = (byte) b;
                low = 0x80;
                high = 0xbf;
                if (have == need) character(shown);
                return;
            }
            dropPending(shown);
        }
        if (cr) {
            cr = false;
            if (b == '\n') {
                shown.write('\r');
                shown.write('\n');
                return;
            }
            escape('\r', shown);
        }
        if (b == '\r') {
            cr = true;
        } else if (b < 0x80) {
            if (b == '\t' || b == '\n' || !Display.isControl(b)) shown.write(b);
            else escape(b, shown);
        } else {
            start(b, shown);
        }
    }

    /** A lead byte opens a character whose second byte must lie in [low, high] (Unicode's table 3-7). */
    private void start(int lead, ByteArrayOutputStream shown) {
        need = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
        if (need == 0) {
            escape(lead, shown);
            return;
        }
        low = lead == 0xe0 ? 0xa0 : lead == 0xf0 ? 0x90 : 0x80;
        high = lead == 0xed ? 0x9f : lead == 0xf4 ? 0x8f : 0xbf;
        pending[0] = (byte) lead;
        have = 1;
    }

    private void character(ByteArrayOutputStream shown) {
        int cp = (pending[0] & (0xff >> (need + 1))) & 0xff;
        for (int i = 1; i < need; i++) cp = cp << 6 | (pending[i] & 0x3f);
        if (Display.isControl(cp)) escape(cp, shown);
        else shown.write(pending, 0, need);
        have = 0;
    }

    private void dropPending(ByteArrayOutputStream shown) {
        for (int i = 0; i < have; i++) escape(pending[i] & 0xff, shown);
        have = 0;
    }

    private static void escape(int codePoint, ByteArrayOutputStream shown) {
        shown.writeBytes(Display.escaped(codePoint).getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public void close() throws IOException {
        ByteArrayOutputStream shown = new ByteArrayOutputStream();
        dropPending(shown);
        if (cr) escape('\r', shown);
        cr = false;
        shown.writeTo(out);
        out.flush();
    }
}
