package io.mailroom.job;

import io.mailroom.template.Header;
import io.mailroom.template.MessageTemplate;
import io.mailroom.template.RenderLimits;
import io.mailroom.template.RowRenderException;
import io.mailroom.template.TemplateSyntaxException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The list-unsubscribe.* keys: a templated https URL and/or mailto address, rendered per row into
 * {@code List-Unsubscribe: <https://…>, <mailto:…>} (RFC 2369) and, with a URL, {@code List-Unsubscribe-Post:
 * List-Unsubscribe=One-Click} (RFC 8058, which allows only https for it). Rendered as strictly as the message
 * (the template's own locked-down FreeMarker, an undefined variable failing the row); a value with white space,
 * a line break, {@code <}, {@code >} or a character outside ASCII, or that is not an absolute https URI or a mailto address, skips the row with
 * the reason: it is never cleaned up, since the link is the recipient's way out.
 */
public record ListUnsubscribe(String url, String mailto) {
    static final String POST = "List-Unsubscribe=One-Click";

    /** The list-unsubscribe.* keys of {@code f}, or null when it has none. */
    static ListUnsubscribe read(JobFile f) throws JobFileException {
        String url = f.optional("list-unsubscribe.url", null);
        String mailto = f.optional("list-unsubscribe.mailto", null);
        if (url == null && mailto == null) return null;
        if (url != null && !url.regionMatches(true, 0, "https://", 0, 8) && !url.startsWith("${") && !url.startsWith("<#")) {
            throw new JobFileException(f.file() + ": list-unsubscribe.url: \"" + url + "\" must be an https:// URL: one-click unsubscribe"
                    + " (RFC 8058) is https only, e.g. https://example.com/unsubscribe?u=${email?url}");
        }
        return new ListUnsubscribe(url, mailto);
    }

    void putInto(Properties p) {
        if (url != null) p.setProperty("list-unsubscribe.url", url);
        if (mailto != null) p.setProperty("list-unsubscribe.mailto", mailto);
    }

    /** The keys compiled for rendering; a syntax error names the key (a job-file mistake, 78). */
    Rendering compile(RenderLimits limits) throws JobFileException {
        return new Rendering(url == null ? null : line("list-unsubscribe.url", url, limits), mailto == null ? null : line("list-unsubscribe.mailto", mailto, limits));
    }

    private static MessageTemplate line(String key, String source, RenderLimits limits) throws JobFileException {
        try {
            return MessageTemplate.line(key, source, limits);
        } catch (TemplateSyntaxException e) {
            throw new JobFileException(e.getMessage());
        }
    }

    /** The compiled keys: the headers each row gets. */
    static final class Rendering {
        private final MessageTemplate url;
        private final MessageTemplate mailto;

        private Rendering(MessageTemplate url, MessageTemplate mailto) {
            this.url = url;
            this.mailto = mailto;
        }

        /** This row's List-Unsubscribe (and, with a URL, List-Unsubscribe-Post) headers. */
        List<Header> headers(Map<String, String> fields) throws RowProblem {
            List<String> links = new ArrayList<>();
            if (url != null) links.add("<" + https(render(url, fields)) + ">");
            if (mailto != null) links.add("<" + mailto(render(mailto, fields)) + ">");
            List<Header> headers = new ArrayList<>();
            headers.add(new Header("List-Unsubscribe", String.join(", ", links)));
            if (url != null) headers.add(new Header("List-Unsubscribe-Post", POST));
            return headers;
        }

        /** Renders the keys for {@code fields}, unchecked: what a template mistake in them throws reaches the caller. */
        void probe(Map<String, String> fields) throws RowRenderException {
            if (url != null) url.renderLine(fields);
            if (mailto != null) mailto.renderLine(fields);
        }

        private static String render(MessageTemplate t, Map<String, String> fields) throws RowProblem {
            String v;
            try {
                v = t.renderLine(fields);
            } catch (RowRenderException e) {
                throw new RowProblem(e.getMessage());
            }
            for (int i = 0; i < v.length(); i += Character.charCount(v.codePointAt(i))) {
                int c = v.codePointAt(i);
                // a URL is ASCII (RFC 3986): anything else would go out as an encoded word, which reads as no URL
                if (Character.isWhitespace(c) || Character.isSpaceChar(c) || c < 0x20 || c > 0x7e || c == '<' || c == '>') {
                    String what = c == '\r' || c == '\n' ? "a line break" : c == '<' || c == '>' ? "'" + (char) c + "'"
                            : !Character.isISOControl(c) && !Character.isSpaceChar(c) && !Character.isWhitespace(c)
                                    ? "'" + Character.toString(c) + "', which is not ASCII" : "white space or a control character";
                    throw new RowProblem(t.name() + ": the value rendered for this row holds " + what + ": \"" + v.strip() + "\"; a CSV value"
                            + " inside a URL should be written ${column?url}");
                }
            }
            if (v.isEmpty()) throw new RowProblem(t.name() + ": renders empty for this row");
            return v;
        }

        private static String https(String v) throws RowProblem {
            URI uri = uri(v, "list-unsubscribe.url");
            if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                throw new RowProblem("list-unsubscribe.url: \"" + v + "\" is not an absolute https:// URL; one-click unsubscribe (RFC 8058)"
                        + " is https only");
            }
            return v;
        }

        /** A mailto: URI, or an address (optionally with ?subject=…) made one. */
        private static String mailto(String v) throws RowProblem {
            String full = v.regionMatches(true, 0, "mailto:", 0, 7) ? v : "mailto:" + v;
            URI uri = uri(full, "list-unsubscribe.mailto");
            String address = uri.getRawSchemeSpecificPart();
            int q = address.indexOf('?');
            if (q >= 0) address = address.substring(0, q);
            if (!address.matches("[^@,;\"()\\[\\]\\\\]+@[A-Za-z0-9.-]+\\.[A-Za-z0-9-]+")) {
                throw new RowProblem("list-unsubscribe.mailto: \"" + v + "\" is not an address such as unsubscribe@example.com"
                        + " (optionally with ?subject=…)");
            }
            return "mailto:" + full.substring(7);
        }

        private static URI uri(String v, String key) throws RowProblem {
            try {
                URI uri = new URI(v);
                if (!uri.isAbsolute()) throw new URISyntaxException(v, "not absolute");
                return uri;
            } catch (URISyntaxException e) {
                throw new RowProblem(key + ": \"" + v + "\" is not a valid URI (" + e.getReason() + "); a CSV value inside it should be"
                        + " written ${column?url}");
            }
        }
    }
}
