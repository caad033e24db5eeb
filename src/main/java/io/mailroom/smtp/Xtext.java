package io.mailroom.smtp;

import java.nio.charset.StandardCharsets;

/**
 * xtext (RFC 3461 section 4), the encoding of the DSN parameters ENVID and ORCPT: printable ASCII stays as it is
 * except "+" and "=", which, like every other octet (UTF-8 for non-ASCII), become "+" and two upper-case hex digits.
 * Reports give the values back decoded, so nothing here decodes.
 */
final class Xtext {
    private Xtext() { }

    static String encode(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 33 && c <= 126 && c != '+' && c != '=') out.append((char) c);
            else out.append('+').append(String.format("%02X", c));
        }
        return out.toString();
    }
}
