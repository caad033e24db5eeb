package io.mailroom.bounce;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimePart;
import jakarta.mail.internet.MimePartDataSource;
import jakarta.mail.internet.MimeUtility;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a bounce's MIME tree holds for the reader: the first delivery-status report, the headers of the returned
 * message (message/rfc822 or text/rfc822-headers and their RFC 6532 "global" forms), and the human-readable text
 * (text/plain parts; HTML with its tags dropped only where there is no plain text).
 * Guards: only the headers of a returned message are read, never its body, so a 50 MB attachment costs nothing;
 * text and report parts are read up to a cap; nesting and part counts are bounded. A multipart without boundaries
 * or a part whose transfer encoding cannot be decoded makes the whole message unreadable, with the part named.
 */
record BounceParts(byte[] deliveryStatus, InternetHeaders returnedHeaders, String text) {
    private static final int DEEPEST = 8;
    private static final int MOST_PARTS = 200;
    private static final int TEXT_CAP = 256 * 1024;
    private static final int REPORT_CAP = 1024 * 1024;
    private static final Pattern CHARSET = Pattern.compile("(?i)charset\\s*=\\s*\"?([^\";\\s]+)");

    static BounceParts of(MimePart message) throws UnreadableBounce {
        Walk w = new Walk();
        w.visit(message, "the message", 0);
        String text = w.plain.length() > 0 ? w.plain.toString() : withoutTags(w.html.toString());
        return new BounceParts(w.deliveryStatus, w.returned, text);
    }

    private static final class Walk {
        byte[] deliveryStatus;
        InternetHeaders returned;
        final StringBuilder plain = new StringBuilder();
        final StringBuilder html = new StringBuilder();
        int parts;

        void visit(MimePart part, String where, int depth) throws UnreadableBounce {
            if (++parts > MOST_PARTS || depth > DEEPEST) return; // a bounce is a few parts; the rest is someone's attachment
            String type = mediaType(part);
            try {
                switch (type) {
                    case "message/delivery-status", "message/global-delivery-status" -> {
                        if (deliveryStatus == null) deliveryStatus = bytes(part, REPORT_CAP);
                    }
                    case "message/rfc822", "message/global", "text/rfc822-headers", "message/global-headers" -> {
                        if (returned == null) {
                            try (InputStream in = part.getInputStream()) { returned = new InternetHeaders(in, true); }
                        }
                    }
                    case "text/plain" -> append(plain, part);
                    case "text/html" -> append(html, part);
                    default -> {
                        if (type.startsWith("multipart/")) children(part, where, depth);
                    }
                }
            } catch (MessagingException | IOException e) {
                throw new UnreadableBounce(where + " (" + type + ") cannot be read: " + e.getMessage(), e);
            }
        }

        private void children(MimePart part, String where, int depth) throws MessagingException, UnreadableBounce {
            MimeMultipart mp = new MimeMultipart(new MimePartDataSource(part));
            for (int i = 0; i < mp.getCount(); i++) {
                visit((MimePart) mp.getBodyPart(i), "part " + (i + 1) + " of " + where, depth + 1);
            }
        }

        private static void append(StringBuilder sb, MimePart part) throws MessagingException, IOException {
            if (sb.length() >= TEXT_CAP || "attachment".equalsIgnoreCase(part.getDisposition())) return;
            sb.append(new String(bytes(part, TEXT_CAP - sb.length()), charset(part))).append('\n');
        }
    }

    private static byte[] bytes(MimePart part, int cap) throws MessagingException, IOException {
        try (InputStream in = part.getInputStream()) {
            return in.readNBytes(cap);
        }
    }

    /** "type/subtype", lower case; text/plain when missing, and read loosely when the header does not parse. */
    static String mediaType(MimePart part) {
        String raw;
        try {
            raw = part.getHeader("Content-Type", null);
        } catch (MessagingException e) {
            raw = null;
        }
        if (raw == null || raw.isBlank()) return "text/plain";
        try {
            return new ContentType(raw).getBaseType().toLowerCase(Locale.ROOT);
        } catch (MessagingException | RuntimeException e) {
            String base = raw.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            return base.matches("[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+") ? base : "application/octet-stream";
        }
    }

    /** The declared charset if Java knows it; else UTF-8, which keeps the ASCII the reader looks for. */
    private static Charset charset(MimePart part) throws MessagingException {
        String ct = part.getHeader("Content-Type", null);
        Matcher m = CHARSET.matcher(ct == null ? "" : ct);
        if (m.find()) {
            try {
                return Charset.forName(MimeUtility.javaCharset(m.group(1)));
            } catch (IllegalArgumentException unknownCharset) {
                return StandardCharsets.UTF_8;
            }
        }
        return StandardCharsets.UTF_8;
    }

    private static String withoutTags(String html) {
        // [^<>]: an unclosed "<" ends at the next one, so no input makes this slower than linear
        return html.replaceAll("(?i)<br\\s*/?>|</p>|</div>|</tr>", "\n").replaceAll("<[^<>]*>", " ")
                .replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&nbsp;", " ").replace("&amp;", "&").replaceAll("[ \\t]+", " ");
    }
}
