package io.mailroom.bounce;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MailDateFormat;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.util.SharedByteArrayInputStream;
import java.text.ParsePosition;
import java.time.Instant;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads one raw message from a bounce mailbox into a {@link Bounce}: an RFC 3464 report where there is one (the
 * delivery-status part read with Angus Mail's dsn module), else the common plain-text formats
 * ({@link PlainTextBounces}), else an auto-reply (RFC 3834 and its everyday variants), else OTHER.
 * Fails only with {@link UnreadableBounce}, whose message says why, for any input: over the size limit, not a
 * mail message, a MIME structure that cannot be split, a part that cannot be decoded. Stateless; safe from any thread.
 */
public final class BounceReader {
    /** RFC 6532: a bounce may carry UTF-8 in its headers; read them as such (a session of our own, no global property). */
    private static final Session SESSION = Session.getInstance(utf8Headers());
    private static final Pattern OUT_OF_OFFICE = Pattern.compile(
            "(?i)out of (?:the )?office|\\bvacation\\b|automatic reply|auto[- ]?reply|auto[- ]?response|away from (?:the )?office|abwesenheit");
    private static final Pattern FIELD = Pattern.compile("[\\x21-\\x39\\x3b-\\x7e]+[ \\t]*:");
    private static final Pattern SEPARATORS = Pattern.compile("[\\s<>()\\[\\]\",;:]+");

    private BounceReader() { }

    /**
     * Reads a raw RFC 5322 message; throws UnreadableBounce (a reason a user can read) for a message it cannot parse at
     * all or larger than maxBytes. Never any other exception for any input.
     */
    public static Bounce read(byte[] raw, long maxBytes) throws UnreadableBounce {
        if (raw == null || raw.length == 0) throw new UnreadableBounce("the message is empty");
        if (raw.length > maxBytes) {
            throw new UnreadableBounce("the message is " + raw.length + " bytes, more than the " + maxBytes + " bytes a bounce may have");
        }
        try {
            // shared: parts are views on raw, so a large attachment is never copied
            MimeMessage message = new MimeMessage(SESSION, new SharedByteArrayInputStream(raw));
            if (!hasHeaderFields(message)) throw new UnreadableBounce("not a mail message: it has no header fields");
            return read(message, BounceParts.of(message));
        } catch (MessagingException e) {
            throw new UnreadableBounce("not a readable mail message: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // the promise is "never any other exception": a library's fault on odd input still skips just this message
            throw new UnreadableBounce("not a readable mail message (" + e + ")", e);
        }
    }

    private static Bounce read(MimeMessage message, BounceParts parts) throws MessagingException {
        DeliveryStatusReport report = parts.deliveryStatus() == null ? null : DeliveryStatusReport.parse(parts.deliveryStatus());
        boolean isReport = report != null && !report.recipients().isEmpty();
        List<Bounce.Recipient> recipients = isReport ? report.recipients() : PlainTextBounces.recipients(parts.text());
        boolean looksLikeBounce = parts.deliveryStatus() != null || PlainTextBounces.isNonDeliveryText(parts.text())
                || message.getHeader("X-Failed-Recipients") != null;
        // a message attached to anything but a bounce (a forward, a read receipt) was not returned: no id to match on
        String returnedId = !looksLikeBounce ? null : parts.returnedHeaders() != null
                ? BounceText.messageId(parts.returnedHeaders().getHeader("Message-ID", null)) : PlainTextBounces.quotedMessageId(parts.text());
        Instant arrived = date(report == null ? null : report.arrivalDate());
        if (arrived == null) arrived = date(message.getHeader("Date", null));
        return new Bounce(kind(message, recipients, looksLikeBounce), report == null ? null : report.reportingMta(), report == null ? null : report.envelopeId(),
                returnedId, arrived, recipients, deliveredTo(message), subject(message));
    }

    /** A DSN is Auto-Submitted too: what the report says about its recipients comes first. */
    private static Bounce.Kind kind(MimeMessage message, List<Bounce.Recipient> recipients, boolean looksLikeBounce) throws MessagingException {
        if (recipients.stream().anyMatch(r -> "failed".equals(r.action()))) return Bounce.Kind.FAILED;
        if (recipients.stream().anyMatch(r -> "delayed".equals(r.action()))) return Bounce.Kind.DELAYED;
        // a report of deliveries only, or a bounce naming no address we can read: never guessed onto anyone
        if (!recipients.isEmpty() || looksLikeBounce) return Bounce.Kind.OTHER;
        return isAutoReply(message) ? Bounce.Kind.AUTO_REPLY : Bounce.Kind.OTHER;
    }

    private static boolean isAutoReply(MimeMessage message) throws MessagingException {
        String submitted = message.getHeader("Auto-Submitted", null);
        if (submitted != null && !submitted.strip().toLowerCase(java.util.Locale.ROOT).startsWith("no")) return true;
        if (message.getHeader("X-Autoreply") != null || message.getHeader("X-Autorespond") != null) return true;
        String precedence = message.getHeader("Precedence", null);
        if (precedence != null && precedence.strip().equalsIgnoreCase("auto_reply")) return true;
        String subject = subject(message);
        return subject != null && OUT_OF_OFFICE.matcher(subject).find();
    }

    /** Delivered-To, X-Original-To, Envelope-To, To: each address once, in that order. */
    private static List<String> deliveredTo(MimeMessage message) throws MessagingException {
        Set<String> out = new LinkedHashSet<>();
        for (String name : List.of("Delivered-To", "X-Original-To", "Envelope-To", "To")) {
            String[] values = message.getHeader(name);
            if (values == null) continue;
            for (String v : values) out.addAll(addresses(BounceText.unfold(v)));
        }
        return List.copyOf(out);
    }

    private static List<String> addresses(String value) {
        Set<String> out = new LinkedHashSet<>();
        try {
            for (InternetAddress a : InternetAddress.parseHeader(value, false)) {
                String bare = BounceText.bareAddress(a.getAddress());
                if (bare != null && bare.indexOf('@') > 0) out.add(bare);
            }
        } catch (AddressException e) {
            for (String token : SEPARATORS.split(value)) { // a mangled header still names its addresses
                if (token.indexOf('@') > 0) out.add(BounceText.bareAddress(token));
            }
        }
        return List.copyOf(out);
    }

    private static String subject(MimeMessage message) throws MessagingException {
        String s = message.getSubject();
        return s == null ? null : BounceText.unfold(s).strip();
    }

    private static Instant date(String value) {
        if (value == null || value.isBlank()) return null;
        Date d = new MailDateFormat().parse(BounceText.unfold(value).strip(), new ParsePosition(0));
        return d == null ? null : d.toInstant();
    }

    /** RFC 5322 §2.2: a field name is printable ASCII up to a colon; Jakarta Mail keeps any other line as a "header" too. */
    private static boolean hasHeaderFields(MimeMessage message) throws MessagingException {
        for (String line : Collections.list(message.getAllHeaderLines())) {
            if (FIELD.matcher(line).lookingAt()) return true;
        }
        return false;
    }

    private static Properties utf8Headers() {
        Properties p = new Properties();
        p.setProperty("mail.mime.allowutf8", "true");
        return p;
    }
}
