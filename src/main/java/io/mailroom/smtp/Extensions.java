package io.mailroom.smtp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The service extensions announced in an EHLO reply (keyword, upper-cased, to its parameters). */
public record Extensions(Map<String, List<String>> keywords) {

    public static final Extensions NONE = new Extensions(Map.of());

    static Extensions parse(SmtpReply ehlo) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        List<String> lines = ehlo.lines();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] words = line.trim().split("[ =]+");
            if (words.length == 0 || words[0].isEmpty()) continue;
            map.put(words[0].toUpperCase(Locale.ROOT), List.of(words).subList(1, words.length));
        }
        return new Extensions(Map.copyOf(map));
    }

    public boolean has(String keyword) { return keywords.containsKey(keyword); }

    public List<String> params(String keyword) { return keywords.getOrDefault(keyword, List.of()); }

    /** The SIZE limit (RFC 1870), or 0 when the server announces none. */
    public long sizeLimit() {
        List<String> p = params("SIZE");
        try {
            return p.isEmpty() ? 0 : Long.parseLong(p.get(0));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public boolean supportsAuth(String mechanism) {
        return params("AUTH").stream().anyMatch(m -> m.equalsIgnoreCase(mechanism));
    }
}
