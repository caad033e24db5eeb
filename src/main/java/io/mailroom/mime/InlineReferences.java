package io.mailroom.mime;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code cid:} URLs (RFC 2392) in the {@code src} attributes of an HTML body's tags, which name the files it
 * shows inline. Only a tag's attributes count: text between tags, and other attributes' values, never do, since a
 * CSV value lands there (HTML-escaped, so it can open no tag nor leave a quoted value) and must not pull a file of
 * the template's folder (the CSV, a DKIM key) into the message. An attribute is {@code src=} in any case with its
 * value in double quotes, single quotes or none; the value is read as HTML writes it (character references, as an
 * HTML template escapes data) and then as a URL (percent-encoded UTF-8), so {@code cid:my%20logo.png} names
 * "my logo.png". Comments are skipped; that is all of HTML this reads.
 */
public final class InlineReferences {
    /** A comment, or the start of a tag: '<' and its name. */
    private static final Pattern TAG = Pattern.compile("<!--.*?-->|<[A-Za-z][^\\s/>]*", Pattern.DOTALL);
    /** One attribute of a tag, after the white space or '/' before it; its value as HTML allows it to be written. */
    private static final Pattern ATTRIBUTE = Pattern.compile("[\\s/]*([^\\s\"'>/=][^\\s\"'>/=]*)(?:\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)'|([^\\s\"'=<>`]+)))?");
    private static final Pattern REFERENCE = Pattern.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|amp|quot|apos|lt|gt);");

    private InlineReferences() { }

    /** A src attribute of a tag: where it is in the HTML, and the file it names (null: its value is no cid: URL). */
    private record Src(int start, int end, String name) { }

    /** The files {@code html} refers to, each once, in order: each cid: URL decoded. */
    public static Set<String> in(String html) {
        Set<String> found = new LinkedHashSet<>();
        for (Src src : sources(html)) if (src.name() != null) found.add(src.name());
        return found;
    }

    /** How many src attributes of {@code html} name a file. */
    static int count(String html) {
        return (int) sources(html).stream().filter(s -> s.name() != null).count();
    }

    /** {@code html} with each src that names a file in {@code cids} pointing at that file's Content-ID instead. */
    static String rewrite(String html, Map<String, String> cids) {
        StringBuilder out = new StringBuilder(html.length() + 64 * cids.size());
        int copied = 0;
        for (Src src : sources(html)) {
            String cid = src.name() == null ? null : cids.get(src.name());
            if (cid == null) continue;
            out.append(html, copied, src.start()).append("src=\"cid:").append(cid).append('"');
            copied = src.end();
        }
        return out.append(html, copied, html.length()).toString();
    }

    /** The src attributes of the tags of {@code html}, in order. */
    private static List<Src> sources(String html) {
        List<Src> found = new ArrayList<>();
        Matcher tag = TAG.matcher(html);
        Matcher attribute = ATTRIBUTE.matcher(html);
        int at = 0;
        while (at < html.length() && tag.find(at)) {
            at = tag.end();
            if (tag.group().startsWith("<!--")) continue;
            while (attribute.region(at, html.length()).lookingAt()) {
                String value = attribute.group(2) != null ? attribute.group(2) : attribute.group(3) != null ? attribute.group(3) : attribute.group(4);
                if (attribute.group(1).equalsIgnoreCase("src") && value != null) found.add(new Src(attribute.start(1), attribute.end(), name(value)));
                at = attribute.end();
            }
        }
        return found;
    }

    /** The file a src attribute's value names, or null when it is no cid: URL. */
    private static String name(String value) {
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
