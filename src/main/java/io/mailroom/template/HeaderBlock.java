package io.mailroom.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses the rendered header block: "Name: value" lines; a line starting with a space or tab continues
 * the previous header; empty lines (e.g. an {@code <#if>} that rendered nothing) are ignored, as is a
 * header whose value renders empty. Headers that mailroom itself writes may not be set by a template.
 */
final class HeaderBlock {
    private static final Set<String> GENERATED = Set.of("date", "message-id", "mime-version", "content-type",
            "content-transfer-encoding", "content-disposition", "return-path", "received");
    private static final Set<String> SINGLE = Set.of("from", "to", "cc", "bcc", "reply-to", "subject", "sender");

    private HeaderBlock() { }

    static List<Header> parse(String file, String block) throws RowRenderException {
        List<String[]> raw = new ArrayList<>();
        int lineNo = 0;
        for (String line : block.split("\n", -1)) {
            lineNo++;
            if (line.isBlank()) continue;
            requireNoControls(file, lineNo, line);
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && !raw.isEmpty()) {
                String[] last = raw.get(raw.size() - 1);
                last[1] = last[1] + " " + line.strip();
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !isFieldName(line.substring(0, colon))) {
                throw new RowRenderException(file + " header line " + lineNo + " is not \"Name: value\": \"" + line.strip() + "\"");
            }
            raw.add(new String[] {line.substring(0, colon), line.substring(colon + 1)});
        }
        List<Header> headers = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (String[] h : raw) {
            String name = h[0];
            String key = name.toLowerCase(Locale.ROOT);
            String value = h[1].strip();
            if (GENERATED.contains(key)) throw new RowRenderException(file + ": header " + name + " is written by mailroom; remove it from the template");
            if (value.isEmpty()) continue;
            if (SINGLE.contains(key) && seen.contains(key)) throw new RowRenderException(file + ": header " + name + " appears twice");
            seen.add(key);
            headers.add(new Header(canonical(name), value));
        }
        return headers;
    }

    private static void requireNoControls(String file, int lineNo, String line) throws RowRenderException {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f || RenderState.hasLineBreak(String.valueOf(c))) {
                throw new RowRenderException(String.format("%s header line %d contains control character U+%04X", file, lineNo, (int) c));
            }
        }
    }

    private static boolean isFieldName(String name) {
        return name.chars().allMatch(c -> c >= 33 && c <= 126 && c != ':');
    }

    private static String canonical(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "from" -> "From";
            case "to" -> "To";
            case "cc" -> "Cc";
            case "bcc" -> "Bcc";
            case "reply-to" -> "Reply-To";
            case "subject" -> "Subject";
            case "attachment" -> "Attachment";
            default -> name;
        };
    }
}
