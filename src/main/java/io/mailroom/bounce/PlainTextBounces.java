package io.mailroom.bounce;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Non-delivery messages without a delivery-status part, read from their human text: the Sendmail-style
 * "permanent fatal errors" form (Sendmail and the set-ups that copy it), Exim, qmail, Postfix's text form
 * without a report, Gmail's "Address not found" and Microsoft 365's "couldn't be delivered". Each format is
 * recognised by its own fixed words and yields only the addresses those words point at; a text that matches no
 * format yields nothing, so nothing is ever guessed.
 */
final class PlainTextBounces {
    private static final String ADDRESS = "[^\\s<>()\\[\\]\",;:@]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?";
    private static final Pattern QUOTED_MESSAGE_ID = Pattern.compile("(?im)^[ \\t>]*Message-ID:\\s*(<[^<>\\s]+>)");

    private static final Pattern SENDMAIL = Pattern.compile(
            "(?im)^[ \\t]*-+ The following addresses had (permanent fatal|transient non-fatal) errors -+[ \\t]*\\r?\\n((?:[ \\t]*\\S.*\\r?\\n?)+)");
    private static final Pattern EXIM = Pattern.compile("(?i)This message was created automatically by mail delivery software");
    private static final Pattern EXIM_TEMPORARY = Pattern.compile("(?i)has not yet been delivered|Delivery attempts will continue");
    private static final Pattern QMAIL = Pattern.compile("(?i)This is the qmail-send program");
    private static final Pattern POSTFIX = Pattern.compile("(?i)This is the (?:Postfix program|mail system) at host");
    private static final Pattern POSTFIX_WARNING = Pattern.compile("(?i)THIS IS A WARNING ONLY");
    private static final Pattern GMAIL = Pattern.compile(
            "(?i)(?:wasn['’]t|was not) delivered to\\s+<?(" + ADDRESS + ")>?|(temporary )?problem delivering your message to\\s+<?(" + ADDRESS + ")>?");
    private static final Pattern GMAIL_HEADING = Pattern.compile("\\*\\* (?:Address not found|Message not delivered|Delivery incomplete) \\*\\*");
    private static final Pattern GMAIL_RESPONSE = Pattern.compile("(?i)The response (?:from the remote server )?was:\\s*\\r?\\n?(.+(?:\\r?\\n\\S.*)*)");
    private static final Pattern MICROSOFT = Pattern.compile("(?i)Your message to\\s+<?(" + ADDRESS + ")>?\\s+couldn['’]?t\\s+be\\s+delivered");
    /** An address alone on an indented line: how Exim lists them. */
    private static final Pattern INDENTED_ADDRESS = Pattern.compile("^ {1,3}<?(" + ADDRESS + ")>?\\s*$");
    /** Sendmail: an address at the start of an unindented line. */
    private static final Pattern LISTED_ADDRESS = Pattern.compile("^<?(" + ADDRESS + ")>?");
    /** qmail: "&lt;x@y&gt;:" alone on a line; Postfix: "&lt;x@y&gt;: what the server said", continued on indented lines. */
    private static final Pattern BRACKETED_ADDRESS = Pattern.compile("^<(" + ADDRESS + ")>:[ \\t]*(.*)$");

    private PlainTextBounces() { }

    static List<Bounce.Recipient> recipients(String text) {
        if (text == null || text.isBlank()) return List.of();
        Matcher sendmail = SENDMAIL.matcher(text);
        if (sendmail.find()) return sendmail(sendmail.group(2), sendmail.group(1).toLowerCase().startsWith("transient"), text);
        if (QMAIL.matcher(text).find()) return blocks(text, BRACKETED_ADDRESS, "--- Below this line", false, text.contains("permanent error"));
        if (POSTFIX.matcher(text).find()) {
            boolean warning = POSTFIX_WARNING.matcher(text).find();
            return blocks(text, BRACKETED_ADDRESS, "Content-Description: Undelivered Message", warning, !warning);
        }
        if (EXIM.matcher(text).find()) {
            boolean temporary = EXIM_TEMPORARY.matcher(text).find();
            return blocks(text, INDENTED_ADDRESS, "------ This is a copy of the message", temporary, !temporary);
        }
        Matcher gmail = GMAIL.matcher(text);
        if (gmail.find()) return gmail(gmail, text);
        Matcher microsoft = MICROSOFT.matcher(text);
        if (microsoft.find()) return List.of(one(microsoft.group(1), lineWithCode(text.substring(microsoft.end())), false, false));
        return List.of();
    }

    /** Whether the text is in one of the formats, even where it names no address this class can read. */
    static boolean isNonDeliveryText(String text) {
        if (text == null) return false;
        for (Pattern format : List.of(SENDMAIL, QMAIL, POSTFIX, EXIM, GMAIL, GMAIL_HEADING, MICROSOFT)) {
            if (format.matcher(text).find()) return true;
        }
        return false;
    }

    /** The Message-ID of the returned message where a plain-text bounce quotes its headers. */
    static String quotedMessageId(String text) {
        Matcher m = QUOTED_MESSAGE_ID.matcher(text == null ? "" : text);
        return m.find() ? BounceText.messageId(m.group(1)) : null;
    }

    /** Address lines under the heading; an indented "(reason: …)" line, or the transcript, gives the diagnostic. */
    private static List<Bounce.Recipient> sendmail(String list, boolean temporary, String text) {
        Map<String, String> reasons = new LinkedHashMap<>();
        String last = null;
        for (String line : list.split("\\r?\\n")) {
            Matcher a = LISTED_ADDRESS.matcher(line.strip());
            if (!Character.isWhitespace(line.charAt(0)) && a.find()) {
                last = a.group(1);
                reasons.put(last, null);
            } else if (last != null && line.strip().startsWith("(reason:")) {
                reasons.put(last, line.strip().replaceFirst("^\\(reason:\\s*", "").replaceFirst("\\)$", ""));
            }
        }
        List<Bounce.Recipient> out = new ArrayList<>();
        reasons.forEach((address, reason) -> out.add(one(address, reason != null ? reason : transcriptLine(text, address), temporary, !temporary)));
        return out;
    }

    private static String transcriptLine(String text, String address) {
        Matcher m = Pattern.compile("(?im)^(?:<<< )?([245]\\d\\d[ -].*" + Pattern.quote(address) + ".*)$").matcher(text);
        return m.find() ? m.group(1) : null;
    }

    /**
     * Blocks that start with an address line (Exim: indented, qmail and Postfix: "&lt;x@y&gt;:") and run to the next
     * blank line; the rest of the address line and the lines after it are its diagnostic. Stops where the copy of the message starts.
     */
    private static List<Bounce.Recipient> blocks(String text, Pattern addressLine, String copyStarts, boolean temporary, boolean permanent) {
        int end = text.indexOf(copyStarts);
        List<Bounce.Recipient> out = new ArrayList<>();
        String address = null;
        StringBuilder diagnostic = new StringBuilder();
        for (String line : (end < 0 ? text : text.substring(0, end)).split("\\r?\\n")) {
            Matcher a = addressLine.matcher(line);
            if (a.find()) {
                if (address != null) out.add(one(address, diagnostic.toString(), temporary, permanent));
                address = a.group(1);
                diagnostic.setLength(0);
                if (a.groupCount() > 1) diagnostic.append(a.group(2)).append(' ');
            } else if (address != null && line.isBlank()) {
                out.add(one(address, diagnostic.toString(), temporary, permanent));
                address = null;
            } else if (address != null) {
                diagnostic.append(line.strip()).append(' ');
            }
        }
        if (address != null) out.add(one(address, diagnostic.toString(), temporary, permanent));
        return out;
    }

    private static List<Bounce.Recipient> gmail(Matcher m, String text) {
        String address = m.group(1) != null ? m.group(1) : m.group(3);
        boolean temporary = m.group(2) != null || text.contains("will retry");
        Matcher response = GMAIL_RESPONSE.matcher(text);
        String diagnostic = response.find() ? response.group(1) : lineWithCode(text.substring(m.end()));
        return List.of(one(address, diagnostic, temporary, false));
    }

    /** The first line after the sentence naming the address that carries an SMTP or enhanced code. */
    private static String lineWithCode(String rest) {
        Matcher m = Pattern.compile("(?m)^.*?(?:\\b[245]\\d\\d\\b|(?<![\\d.])[245]\\.\\d{1,3}\\.\\d{1,3}).*$").matcher(rest);
        return m.find() ? m.group().strip() : null;
    }

    private static Bounce.Recipient one(String address, String diagnosticText, boolean temporary, boolean permanent) {
        String diagnostic = diagnosticText == null || diagnosticText.isBlank() ? null : BounceText.diagnostic(diagnosticText);
        String status = BounceText.enhancedCode(diagnostic);
        return new Bounce.Recipient(BounceText.bareAddress(address), null, BounceText.plainTextAction(status, temporary, permanent), status,
                diagnostic);
    }
}
