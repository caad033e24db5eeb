package io.mailroom.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses the rendered header block: "Name: value" lines; a line starting with a space or tab continues
 * the previous header; empty lines (e.g. an {@code <#if>} that rendered nothing) are ignored, as is a
 * header whose value renders empty. Headers that mailroom itself writes may not be set by a template, but for
 * {@code Content-Type: text/markdown} in a Markdown template (which says what the body is, and is not sent).
 */
final class HeaderBlock {
    private static final Set<String> GENERATED = Set.of("date", "message-id", "mime-version", "content-type",
            "content-transfer-encoding", "content-disposition", "return-path", "received");
    private static final Set<String> SINGLE = Set.of("from", "to", "cc", "bcc", "reply-to", "subject", "sender");

    private HeaderBlock() { }

    /** One header as written: its name, its value so far, and where its lines are in the output. */
    private static final class Written {
        final String name;
        String value;
        final int from;
        final int colon;
        int to;

        Written(String name, String value, int from, int colon, int to) {
            this.name = name;
            this.value = value;
            this.from = from;
            this.colon = colon;
            this.to = to;
        }
    }

    /**
     * The headers of {@code block}, the output up to the body; {@code data} tells where CSV values were read in
     * it. A problem that no value played a part in is a {@link TemplateFault}: every row would have it. In a
     * {@code markdown} template, its Content-Type line is left out.
     */
    static List<Header> parse(String file, String block, RenderState data, boolean markdown) throws RowRenderException {
        List<Written> raw = new ArrayList<>();
        int lineNo = 0;
        int next = 0;
        for (String line : block.split("\n", -1)) {
            lineNo++;
            int from = next;
            int to = from + line.length();
            next = to + 1;
            if (line.isBlank()) continue;
            requireNoControls(file, lineNo, line, data.firstReadBetween(from, to) < 0);
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && !raw.isEmpty()) {
                Written last = raw.get(raw.size() - 1);
                last.value = last.value + " " + line.strip();
                last.to = to;
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !isFieldName(line.substring(0, colon))) {
                int read = data.firstReadBetween(from, to);
                String problem = file + " header line " + lineNo + " is not \"Name: value\": \"" + line.strip() + "\"";
                if (neverAName(read < 0 ? line : line.substring(0, read - from), read < 0)) throw fault(problem, file, lineNo);
                throw new RowRenderException(problem);
            }
            raw.add(new Written(line.substring(0, colon), line.substring(colon + 1), from, colon, to));
        }
        List<Header> headers = new ArrayList<>();
        List<Written> seen = new ArrayList<>();
        for (Written h : raw) {
            String key = h.name.toLowerCase(Locale.ROOT);
            String value = h.value.strip();
            boolean asWritten = data.firstReadBetween(h.from, h.to) < 0;
            if (markdown && asWritten && MessageTemplate.MARKDOWN_LINE.matcher(block.substring(h.from, h.to)).matches()) continue;
            if (GENERATED.contains(key)) {
                String problem = file + ": header " + h.name + " is written by mailroom; remove it from the template"
                        + (key.equals("content-type") ? " (the one it may say is text/markdown, optionally with ; charset=UTF-8 or ; variant=CommonMark, on a line of its own with no ${...} or"
                                + " directive in it: then the body is Markdown, sent as text and as HTML made from it)" : "");
                if (data.firstReadBetween(h.from, h.from + h.colon) < 0) throw fault(problem, file, lineOf(block, h.from));
                throw new RowRenderException(problem);
            }
            if (value.isEmpty()) continue;
            Written first = SINGLE.contains(key) ? seen.stream().filter(w -> w.name.equalsIgnoreCase(key)).findFirst().orElse(null) : null;
            if (first != null) {
                String problem = file + ": header " + h.name + " appears twice";
                boolean always = data.firstReadBetween(first.from, first.to) < 0 && data.firstReadBetween(h.from, h.to) < 0;
                if (always) throw fault(problem, file, lineOf(block, h.from));
                throw new RowRenderException(problem);
            }
            seen.add(h);
            headers.add(new Header(canonical(h.name), value));
        }
        return headers;
    }

    /**
     * Whether a header line that begins with {@code prefix}, written before any CSV value was read on it, fails
     * whatever follows: a colon already placed, a character no header name may hold, or nothing from data after it.
     */
    private static boolean neverAName(String prefix, boolean whole) {
        return whole || prefix.indexOf(':') >= 0 || !isFieldName(prefix);
    }

    private static TemplateFault fault(String problem, String file, int lineNo) {
        return new TemplateFault(problem, file + " header line " + lineNo, null);
    }

    private static int lineOf(String block, int at) {
        return (int) block.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
    }

    private static void requireNoControls(String file, int lineNo, String line, boolean noData) throws RowRenderException {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f || RenderState.hasLineBreak(String.valueOf(c))) {
                String problem = String.format("%s header line %d contains control character U+%04X", file, lineNo, (int) c);
                if (noData) throw fault(problem, file, lineNo);
                throw new RowRenderException(problem);
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
