package io.mailroom.dkim;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;

/**
 * The "relaxed" canonicalizations of RFC 6376 §3.4.2 and §3.4.4, on octets: a header field's name in lower case,
 * unfolded, runs of white space as one space, none at the end or around the colon; a body's lines without trailing
 * white space, inner runs as one space, no empty lines at its end, and a final CRLF when it is not empty. Octets
 * are kept as they are (an RFC 6532 header's UTF-8 included): only ASCII space, tab, CR and LF are read.
 */
final class Relaxed {
    private Relaxed() { }

    /** One header field as written (name, colon, value, continuation lines, without its final CRLF), canonicalized with CRLF. */
    static void header(byte[] field, ByteArrayOutputStream out) {
        int colon = 0;
        while (colon < field.length && field[colon] != ':') colon++;
        if (colon == field.length) throw new IllegalArgumentException("a header field without a colon cannot be signed");
        int nameEnd = colon;
        while (nameEnd > 0 && isWsp(field[nameEnd - 1])) nameEnd--;
        for (int i = 0; i < nameEnd; i++) {
            byte b = field[i];
            out.write(b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b);
        }
        out.write(':');
        boolean space = false;
        boolean started = false;
        for (int i = colon + 1; i < field.length; i++) {
            byte b = field[i];
            if (b == '\r' || b == '\n') continue;
            if (isWsp(b)) {
                space = true;
                continue;
            }
            if (space && started) out.write(' ');
            space = false;
            started = true;
            out.write(b);
        }
        out.write('\r');
        out.write('\n');
    }

    /** Feeds the canonical form of {@code body} (the octets after the blank line) to {@code digest}, a line at a time. */
    static void body(byte[] body, int from, MessageDigest digest) {
        byte[] line = new byte[8192];
        int emptyLines = 0;
        int at = from;
        while (at < body.length) {
            int end = at;
            while (end < body.length && !(body[end] == '\r' && end + 1 < body.length && body[end + 1] == '\n')) end++;
            int n = 0;
            boolean space = false;
            if (line.length < end - at + 2) line = new byte[end - at + 2];
            for (int i = at; i < end; i++) {
                byte b = body[i];
                if (isWsp(b)) {
                    space = true;
                    continue;
                }
                // a run of white space, even one opening the line, is one space; only a trailing run goes
                if (space) line[n++] = ' ';
                space = false;
                line[n++] = b;
            }
            if (n == 0) {
                emptyLines++;
            } else {
                for (; emptyLines > 0; emptyLines--) digest.update(CRLF);
                line[n++] = '\r';
                line[n++] = '\n';
                digest.update(line, 0, n);
            }
            at = end + 2;
        }
    }

    private static final byte[] CRLF = {'\r', '\n'};

    private static boolean isWsp(byte b) {
        return b == ' ' || b == '\t';
    }
}
