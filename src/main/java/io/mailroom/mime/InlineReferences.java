package io.mailroom.mime;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code cid:} URLs (RFC 2392) in an HTML body's {@code src} attributes, which name the files it shows
 * inline. An attribute is {@code src=} in any case with its value in double quotes, single quotes or none; the
 * value is read as HTML writes it (character references, as an HTML template escapes data) and then as a URL
 * (percent-encoded UTF-8), so {@code cid:my%20logo.png} names "my logo.png". That is all of HTML this reads:
 * text that merely looks like such an attribute counts too, which costs at most a file that is looked for.
 */
public final class InlineReferences {
    /** src= not part of a longer name (data-src); its value as HTML allows it to be written. */
    private static final Pattern SRC = Pattern.compile("(?i)(?<![\\w:-])src\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)'|([^\\s\"'=<>`]+))");
    private static final Pattern REFERENCE = Pattern.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|amp|quot|apos|lt|gt);");

    private InlineReferences() { }

    /** The files {@code html} refers to, each once, in order: each cid: URL decoded. */
    public static Set<String> in(String html) {
        Set<String> found = new LinkedHashSet<>();
        Matcher m = SRC.matcher(html);
        while (m.find()) {
            String name = name(m);
            if (name != null) found.add(name);
        }
        return found;
    }

    /** How many src attributes of {@code html} name a file. */
    static int count(String html) {
        int n = 0;
        Matcher m = SRC.matcher(html);
        while (m.find()) if (name(m) != null) n++;
        return n;
    }

    /** {@code html} with each src that names a file in {@code cids} pointing at that file's Content-ID instead. */
    static String rewrite(String html, Map<String, String> cids) {
        Matcher m = SRC.matcher(html);
        StringBuilder out = new StringBuilder(html.length() + 64 * cids.size());
        while (m.find()) {
            String name = name(m);
            String cid = name == null ? null : cids.get(name);
            m.appendReplacement(out, cid == null ? "$0" : Matcher.quoteReplacement("src=\"cid:" + cid + "\""));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The file a src attribute names, or null when its value is no cid: URL. */
    private static String name(Matcher m) {
        String value = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
        String url = characters(value).strip();
        if (!url.toLowerCase(Locale.ROOT).startsWith("cid:")) return null;
        return percentDecoded(url.substring(4));
    }

    /** An attribute's value with its character references (&amp;, &#39;, &#x2F; …) made characters again. */
    private static String characters(String value) {
        if (value.indexOf('&') < 0) return value;
        Matcher m = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String ref = m.group(1);
            String c = switch (ref) {
                case "amp" -> "&";
                case "quot" -> "\"";
                case "apos" -> "'";
                case "lt" -> "<";
                case "gt" -> ">";
                default -> codePoint(ref);
            };
            m.appendReplacement(out, Matcher.quoteReplacement(c == null ? m.group() : c));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String codePoint(String ref) {
        int cp = ref.charAt(1) == 'x' || ref.charAt(1) == 'X' ? Integer.parseInt(ref.substring(2), 16) : Integer.parseInt(ref.substring(1));
        return Character.isValidCodePoint(cp) && cp != 0 ? new String(Character.toChars(cp)) : null;
    }

    /** A URL's %XX escapes as UTF-8; a '%' that starts no escape stays as it is. */
    private static String percentDecoded(String s) {
        if (s.indexOf('%') < 0) return s;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int from = 0;
        for (int i = 0; i + 2 < s.length(); i++) {
            if (s.charAt(i) != '%' || hex(s.charAt(i + 1)) < 0 || hex(s.charAt(i + 2)) < 0) continue;
            bytes.writeBytes(s.substring(from, i).getBytes(StandardCharsets.UTF_8));
            bytes.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
            i += 2;
            from = i + 1;
        }
        bytes.writeBytes(s.substring(from).getBytes(StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }
}
