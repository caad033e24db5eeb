package io.mailroom.mime;

import io.mailroom.template.Header;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import jakarta.mail.internet.InternetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Parses an address header value into mailboxes, strictly. Each mailbox's addr-spec must be
 * local@domain with a dot-atom (or quoted) local part and a domain of letters, digits, hyphens and dots
 * (internationalized domains are turned into A-labels; a UTF-8 local part marks the message as needing
 * SMTPUTF8); anything else (group syntax, stray text, two addresses in one element) is refused with the reason. Display names may hold any Unicode; Jakarta Mail quotes or RFC 2047
 * encodes them as needed.
 */
final class AddressRules {
    /** RFC 5321 §4.5.3.1.3: a path is at most 256 octets, its angle brackets included. */
    private static final int LONGEST_ADDRESS = 254;
    private static final Pattern DOT_ATOM = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*");
    private static final Pattern QUOTED = Pattern.compile("\"([\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\x20-\\x7e])*\"");
    // RFC 6531 atext: ASCII atext or any non-ASCII character (controls and separators are refused separately)
    private static final Pattern UTF8_DOT_ATOM = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-\\x{80}-\\x{10FFFF}]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-\\x{80}-\\x{10FFFF}]+)*");
    private static final Pattern DOMAIN = Pattern.compile("([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
            + "|localhost|\\[[0-9.]+\\]|\\[IPv6:[0-9A-Fa-f:.]+\\]");

    private AddressRules() { }

    /**
     * Splits an address list at commas outside quotes and angle brackets; each element is an addr-spec or
     * "display name &lt;addr-spec&gt;". Commas and quotes that came from CSV data are marked (see
     * {@link Header}) and so are never separators: data can put any text in a display name but can never
     * add an address.
     */
    static List<InternetAddress> parseList(String header, String raw) throws MessageException {
        List<InternetAddress> out = new ArrayList<>();
        for (String element : split(header, raw)) {
            if (!element.isBlank()) out.add(mailbox(header, element.strip()));
        }
        if (out.isEmpty()) throw new MessageException(header + ": no address in " + quoted(raw));
        return out;
    }

    static InternetAddress parseSingle(String header, String raw) throws MessageException {
        List<InternetAddress> list = parseList(header, raw);
        if (list.size() != 1) throw new MessageException(header + ": expected one address, got " + list.size() + " in " + quoted(raw));
        return list.get(0);
    }

    private static List<String> split(String header, String raw) throws MessageException {
        List<String> parts = new ArrayList<>();
        boolean quoted = false;
        boolean angle = false;
        int start = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (quoted) {
                if (c == '\\') i++;
                else if (c == '"') quoted = false;
            } else if (c == '"') {
                quoted = true;
            } else if (c == '<') {
                angle = true;
            } else if (c == '>') {
                angle = false;
            } else if (c == ',' && !angle) {
                parts.add(raw.substring(start, i));
                start = i + 1;
            }
        }
        if (quoted) throw new MessageException(header + ": unclosed quote in " + quoted(raw));
        parts.add(raw.substring(start));
        return parts;
    }

    private static InternetAddress mailbox(String header, String element) throws MessageException {
        int open = element.lastIndexOf('<');
        String address;
        String name = null;
        if (open < 0) {
            address = element;
        } else {
            if (!element.endsWith(">") || element.indexOf('<') != open || element.indexOf('>') != element.length() - 1) {
                throw new MessageException(header + ": " + quoted(element) + " is not \"Name <address>\"");
            }
            address = element.substring(open + 1, element.length() - 1).strip();
            name = unquote(element.substring(0, open).strip());
        }
        if (Header.hasDataMarks(address)) {
            throw new MessageException(header + ": " + quoted(address) + " is not a single address (a comma or quote from the CSV)");
        }
        String normalized = normalize(header, address);
        try {
            return new InternetAddress(normalized, name == null || name.isEmpty() ? null : Header.restore(name), "UTF-8");
        } catch (java.io.UnsupportedEncodingException e) {
            throw new IllegalStateException("UTF-8 is always supported", e);
        }
    }

    /** A value from data as a reason quotes it; a long one is cut, so the reason itself stays readable. */
    private static String quoted(String value) {
        String shown = Header.restore(value);
        return "\"" + (shown.length() <= 100 ? shown : shown.substring(0, 100) + "…(" + shown.length() + " characters)") + "\"";
    }

    private static String unquote(String phrase) {
        if (phrase.length() >= 2 && phrase.startsWith("\"") && phrase.endsWith("\"")) {
            return phrase.substring(1, phrase.length() - 1).replaceAll("\\\\(.)", "$1");
        }
        return phrase;
    }

    /**
     * The address as it goes on the wire, or the reason it can't: an internationalized domain becomes its
     * A-label (xn--…), which every server understands; a non-ASCII local part stays UTF-8 and needs SMTPUTF8
     * (RFC 6531), which {@link #isInternationalized} tells. Control, format and line-separator characters
     * are never allowed.
     */
    static String normalize(String header, String address) throws MessageException {
        if (address == null || address.isEmpty()) throw new MessageException(header + ": empty address");
        int at = address.lastIndexOf('@');
        if (at <= 0) throw new MessageException(header + ": " + quoted(address) + " is not an address of the form name@domain");
        String local = address.substring(0, at);
        String domain = address.substring(at + 1);
        // lengths first: the patterns below recurse per dot, and a value of thousands could overflow the stack
        if (address.length() > LONGEST_ADDRESS) {
            throw new MessageException(header + ": " + quoted(address) + " is longer than the " + LONGEST_ADDRESS + " octets RFC 5321 allows");
        }
        if (local.getBytes(StandardCharsets.UTF_8).length > 64) {
            throw new MessageException(header + ": " + quoted(address) + " has a local part over the 64 octets RFC 5321 allows");
        }
        if (!isAscii(domain)) {
            try {
                domain = IDN.toASCII(domain, IDN.USE_STD3_ASCII_RULES);
            } catch (IllegalArgumentException e) {
                throw new MessageException(header + ": " + quoted(address) + " has an invalid internationalized domain (" + e.getMessage() + ")");
            }
        }
        boolean localOk = isAscii(local) ? DOT_ATOM.matcher(local).matches() || QUOTED.matcher(local).matches()
                : UTF8_DOT_ATOM.matcher(local).matches() && local.codePoints().noneMatch(AddressRules::isForbidden);
        if (!localOk) {
            throw new MessageException(header + ": " + quoted(address) + " has an invalid local part");
        }
        if (!DOMAIN.matcher(domain).matches() || domain.length() > 255) {
            throw new MessageException(header + ": " + quoted(address) + " has an invalid domain");
        }
        String path = local + "@" + domain;
        if (path.getBytes(StandardCharsets.UTF_8).length > LONGEST_ADDRESS) {
            throw new MessageException(header + ": " + quoted(address) + " is longer than the " + LONGEST_ADDRESS + " octets RFC 5321 allows");
        }
        return path;
    }

    /** True when the address needs SMTPUTF8: its local part is not ASCII. */
    static boolean isInternationalized(String normalizedAddress) {
        return !isAscii(normalizedAddress);
    }

    private static boolean isAscii(String s) {
        return s.chars().allMatch(c -> c < 0x80);
    }

    private static boolean isForbidden(int cp) {
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || type == Character.SPACE_SEPARATOR || type == Character.UNASSIGNED
                || type == Character.PRIVATE_USE || type == Character.SURROGATE;
    }
}
