package io.mailroom.bounce;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place for how a bounce's words become field values: bare addresses, enhanced status codes, diagnostics,
 * and the action a plain-text bounce implies. Used for RFC 3464 fields and for plain-text formats alike.
 */
final class BounceText {
    static final int LONGEST_DIAGNOSTIC = 1000;

    /** "rfc822;", "dns;", "smtp;", "X-Postfix;": the type in front of a DSN field's value. */
    private static final Pattern TYPE_PREFIX = Pattern.compile("^\\s*[A-Za-z0-9][A-Za-z0-9.+-]*\\s*;\\s*");
    private static final Pattern ANGLE = Pattern.compile("<([^<>]*)>");
    private static final Pattern COMMENT = Pattern.compile("\\([^()]*\\)");
    /** An enhanced status code (RFC 3463) standing alone: not part of an IP address or a version number. */
    private static final Pattern ENHANCED = Pattern.compile("(?<![\\d.])([245])\\.(\\d{1,3})\\.(\\d{1,3})(?!\\.?\\d)");
    /** qmail's "(#5.1.1)". */
    private static final Pattern QMAIL_CODE = Pattern.compile("\\(#([245]\\.\\d{1,3}\\.\\d{1,3})\\)");

    private BounceText() { }

    /** "rfc822; &lt;Nobody@Example.org&gt;" → "nobody@example.org"; null for a blank value. */
    static String bareAddress(String value) {
        if (value == null) return null;
        String v = TYPE_PREFIX.matcher(unfold(value)).replaceFirst("");
        Matcher angle = ANGLE.matcher(v);
        v = angle.find() ? angle.group(1) : COMMENT.matcher(v).replaceAll(" ");
        v = v.strip();
        if (v.length() > 1 && v.startsWith("\"") && v.endsWith("\"") && v.indexOf('@') < 0) v = v.substring(1, v.length() - 1);
        return v.isEmpty() ? null : v.toLowerCase(Locale.ROOT);
    }

    /** "dns; mx.example.org" → "mx.example.org"; null for a blank value. */
    static String untyped(String value) {
        if (value == null) return null;
        String v = TYPE_PREFIX.matcher(unfold(value)).replaceFirst("").strip();
        return v.isEmpty() ? null : v;
    }

    /**
     * Original-Envelope-Id: the ENVID as it was sent, which a report gives decoded (RFC 3461 section 6.3), so it is
     * taken as it stands, not as a type and a value like the other fields; null for a blank value.
     */
    static String envelopeId(String value) {
        if (value == null || value.isBlank()) return null;
        return unfold(value).strip();
    }

    /** The first enhanced status code in the text ("550 5.1.1 &lt;x@y&gt;: …" → "5.1.1"), qmail's "(#5.1.1)" first; else null. */
    static String enhancedCode(String text) {
        if (text == null) return null;
        Matcher q = QMAIL_CODE.matcher(text);
        if (q.find()) return q.group(1);
        Matcher m = ENHANCED.matcher(text);
        return m.find() ? m.group(1) + "." + Integer.parseInt(m.group(2)) + "." + Integer.parseInt(m.group(3)) : null;
    }

    /** Diagnostic text: its type ("smtp;") dropped, lines joined, white space collapsed, at most 1000 characters. */
    static String diagnostic(String value) {
        String v = untyped(value);
        if (v == null) return null;
        v = v.replaceAll("\\s+", " ").strip();
        return v.length() <= LONGEST_DIAGNOSTIC ? v : v.substring(0, LONGEST_DIAGNOSTIC);
    }

    /** RFC 5322 unfolding: a line break followed by white space is white space. */
    static String unfold(String value) {
        return value.replaceAll("\\r?\\n(?=[ \\t])", "").replaceAll("[\\r\\n]+", " ");
    }

    /**
     * What a plain-text bounce means for one address: a 5.x.x code is a failure whatever the words; words that say
     * the server keeps trying make it a delay, words that say it gave up a failure; otherwise the code's class
     * decides, and a known non-delivery format without a code is a failure.
     */
    static String plainTextAction(String status, boolean saysTemporary, boolean saysPermanent) {
        if (status != null && status.startsWith("5.")) return "failed";
        if (saysTemporary) return "delayed";
        if (saysPermanent) return "failed";
        if (status != null && status.startsWith("4.")) return "delayed";
        return "failed";
    }

    /** RFC 3464 action, lower case, comments dropped; derived from the status class when the field is missing. */
    static String action(String value, String status) {
        String v = value == null ? "" : COMMENT.matcher(value).replaceAll(" ").strip().toLowerCase(Locale.ROOT);
        if (!v.isEmpty()) return v.split("\\s+")[0];
        if (status == null) return null;
        return switch (status.charAt(0)) { case '5' -> "failed"; case '4' -> "delayed"; default -> "delivered"; };
    }

    /** "&lt;id@host&gt;" from a Message-ID value (brackets added if the sender left them out); null if blank. */
    static String messageId(String value) {
        if (value == null) return null;
        String v = unfold(value).strip();
        Matcher angle = ANGLE.matcher(v);
        if (angle.find()) v = angle.group(1).strip();
        else v = v.split("\\s+")[0];
        return v.isEmpty() ? null : "<" + v + ">";
    }
}
