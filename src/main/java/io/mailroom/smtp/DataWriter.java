package io.mailroom.smtp;

import java.io.ByteArrayOutputStream;

/**
 * Turns message bytes into the DATA stream (RFC 5321 sections 4.1.1.4, 4.5.2): every line ending
 * (CRLF, bare CR, bare LF) becomes CRLF, a line starting with '.' gets a second '.', and the stream ends
 * with CRLF "." CRLF. A line over 998 octets is refused before anything is written.
 */
final class DataWriter {
    static final int MAX_LINE_OCTETS = 998;

    private DataWriter() { }

    static byte[] encode(byte[] message) throws UnsendableMessageException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + message.length / 40 + 8);
        int lineStart = 0;
        int lineNumber = 1;
        int i = 0;
        while (i <= message.length) {
            boolean end = i == message.length;
            byte b = end ? 0 : message[i];
            if (end || b == '\r' || b == '\n') {
                int length = i - lineStart;
                if (length > MAX_LINE_OCTETS) {
                    throw new UnsendableMessageException("line " + lineNumber + " of the message is " + length
                            + " octets long; SMTP allows " + MAX_LINE_OCTETS);
                }
                if (end && length == 0) break;
                if (length > 0 && message[lineStart] == '.') out.write('.');
                out.write(message, lineStart, length);
                out.write('\r');
                out.write('\n');
                if (end) break;
                if (b == '\r' && i + 1 < message.length && message[i + 1] == '\n') i++;
                lineStart = i + 1;
                lineNumber++;
            }
            i++;
        }
        out.write('.');
        out.write('\r');
        out.write('\n');
        return out.toByteArray();
    }
}
