package io.mailroom.report;

/**
 * How text that came from data or a server is shown to people: every control character escaped, so a CSV
 * value or a server reply can never move the cursor, retitle the window, clear the screen, overwrite a
 * line or reorder what is shown. This is the one rule for every output: the report writers call
 * {@link #escape}, the JSON report writes the same characters in JSON's own escape form, and the
 * command line's standard output and error apply {@link #isControl} and {@link #escaped} to every character
 * they print (cli's EscapingStream), whoever printed it.
 *
 * It lives here, where stored data becomes text for people; cli already depends on report, never the reverse.
 *
 * <p>Controls are C0 (tab and line feed included: a report line is one recipient), DEL, C1 (a terminal
 * takes U+009B as CSI), the bidi embeddings, overrides and isolates, and the line and paragraph separators.
 * One shows as {@code \xNN} below U+0100, else as backslash, u and four hex digits; lower-case. The
 * backslash itself is not escaped, so Windows paths stay readable; a value holding the text "\x1b" looks
 * like an escaped ESC, but only to the eye: the output is printable either way, and no control ever
 * reaches a terminal or a file.
 */
public final class Display {
    private Display() { }

    /** {@code s} with every control character escaped; null shows as the empty string. Idempotent. */
    public static String escape(String s) {
        if (s == null) return "";
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isControl(c)) {
                if (sb == null) sb = new StringBuilder(s.length() + 16).append(s, 0, i);
                sb.append(escaped(c));
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }

    public static boolean isControl(int codePoint) {
        return codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f)
                || (codePoint >= 0x202a && codePoint <= 0x202e) || (codePoint >= 0x2066 && codePoint <= 0x2069)
                || codePoint == 0x2028 || codePoint == 0x2029;
    }

    /** How a control character (or a byte that is no character) is written: printable ASCII only. */
    public static String escaped(int codePoint) {
        return codePoint < 0x100 ? String.format("\\x%02x", codePoint) : String.format("\\u%04x", codePoint);
    }
}
