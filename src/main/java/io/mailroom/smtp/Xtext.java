package io.mailroom.smtp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * xtext (RFC 3461 section 4), the encoding of DSN parameter values (ENVID, ORCPT) and of the report fields that
 * echo them (Original-Envelope-Id, RFC 3464): printable ASCII stays as it is except "+" and "=", which, like every
 * other octet (UTF-8 for non-ASCII), become "+" and two upper-case hex digits.
 */
public final class Xtext {
    private Xtext() { }

    public static String encode(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 33 && c <= 126 && c != '+' && c != '=') out.append((char) c);
            else out.append('+').append(String.format("%02X", c));
        }
        return out.toString();
    }

    /** The value {@code xtext} encodes; a "+" not followed by two hex digits is kept as it is (a report may be sloppy). */
    public static String decode(String xtext) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(xtext.length());
        int i = 0;
        while (i < xtext.length()) {
            int c = xtext.codePointAt(i);
            int hi = i + 2 < xtext.length() ? Character.digit(xtext.charAt(i + 1), 16) : -1;
            int lo = i + 2 < xtext.length() ? Character.digit(xtext.charAt(i + 2), 16) : -1;
            if (c == '+' && hi >= 0 && lo >= 0) {
                out.write(hi << 4 | lo);
                i += 3;
            } else {
                out.writeBytes(Character.toString(c).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
