package io.mailroom.csv;

import java.io.IOException;
import java.io.Reader;

/**
 * Cuts decoded CSV text into records for the field parser, holding at most {@code maxChars} of any one
 * record. It guards against a file that would otherwise be read whole into memory: a 200 MB field, or a
 * quote that opens and never closes, is one "line" to a line-based reader. A record longer than the limit
 * is still read to its end, but dropped as it goes: {@link #next()} reports it as {@link Raw#tooLong()} and
 * the next call starts on the following record, so one broken row costs that row only.
 *
 * <p>A record ends at CR, LF or CRLF outside quotes (RFC 4180), so finding its end means tracking quotes.
 * A quote opens a quoted field only at the start of a field; inside one, every quote toggles (which is right
 * for {@code ""} too), and commas and line breaks are content while it is open. In a field that does not
 * start with a quote, a quote is just a character: a stray {@code 5" disk} must not swallow the rest of the
 * file. Line breaks inside quotes are handed on as {@code "\n"}. The limit counts the record's characters
 * as handed on, without the line break that ends it.
 *
 * <p>Lifecycle: {@link #next()} until it returns null; the caller closes the underlying reader. Fails with
 * {@link QuoteNeverClosed} when the file ends inside a quoted field, and with the reader's IOException.
 */
final class RecordReader {
    /** One record: its text (without the line break that ends it), or tooLong with no text. */
    record Raw(String text, boolean tooLong) { }

    /** The file ended inside a quoted field: where the rows end can no longer be told. */
    static final class QuoteNeverClosed extends IOException {
        QuoteNeverClosed() { super("a quoted field is never closed"); }
    }

    private final Reader in;
    private final int maxChars;
    private final char[] buffer = new char[8192];
    private final StringBuilder record = new StringBuilder();
    private int pos;
    private int end;
    private boolean skipLf;

    RecordReader(Reader in, int maxChars) {
        if (maxChars < 1) throw new IllegalArgumentException("maxChars must be at least 1: " + maxChars);
        this.in = in;
        this.maxChars = maxChars;
    }

    /** The next record, or null at the end of the text. */
    Raw next() throws IOException {
        record.setLength(0);
        boolean any = false, fieldStart = true, quotedField = false, inQuotes = false, tooLong = false;
        for (int c = read(); c >= 0; c = read()) {
            any = true;
            if (c == '\r' || c == '\n') {
                skipLf = c == '\r';
                if (!inQuotes) break;
                c = '\n';
            } else if (c == '"') {
                if (fieldStart) quotedField = true;
                if (quotedField) inQuotes = !inQuotes;
            }
            fieldStart = c == ',' && !inQuotes;
            if (fieldStart) quotedField = false;
            if (tooLong) continue;
            if (record.length() == maxChars) {
                tooLong = true;
                record.setLength(0);
            } else {
                record.append((char) c);
            }
        }
        if (inQuotes) throw new QuoteNeverClosed();
        if (!any) return null;
        return tooLong ? new Raw("", true) : new Raw(record.toString(), false);
    }

    /** The next char, with the LF of a CRLF already dropped; -1 at the end. */
    private int read() throws IOException {
        while (true) {
            if (pos == end) {
                end = in.read(buffer, 0, buffer.length);
                pos = 0;
                if (end <= 0) {
                    end = 0;
                    return -1;
                }
            }
            char c = buffer[pos++];
            if (skipLf) {
                skipLf = false;
                if (c == '\n') continue;
            }
            return c;
        }
    }
}
