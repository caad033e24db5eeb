package io.mailroom.mime;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Parses an address header value into mailboxes, strictly. Each mailbox's addr-spec must be ASCII
 * local@domain with a dot-atom (or quoted) local part and a domain of letters, digits, hyphens and dots;
 * anything else (group syntax, stray text, a second address hiding in a display name, non-ASCII address
 * characters) is refused with the reason. Display names may hold any Unicode; they are RFC 2047 encoded.
 */
final class AddressRules {
    private static final Pattern DOT_ATOM = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*");
    private static final Pattern QUOTED = Pattern.compile("\"([\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\x20-\\x7e])*\"");
    private static final Pattern DOMAIN = Pattern.compile("([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
            + "|localhost|\\[[0-9.]+\\]|\\[IPv6:[0-9A-Fa-f:.]+\\]");

    private AddressRules() { }

    static List<InternetAddress> parseList(String header, String value) throws MessageException {
        InternetAddress[] parsed;
        try {
            parsed = InternetAddress.parseHeader(value, true);
        } catch (AddressException e) {
            throw new MessageException(header + ": \"" + value + "\" is not a valid address list (" + e.getMessage() + ")");
        }
        List<InternetAddress> out = new ArrayList<>();
        for (InternetAddress a : parsed) {
            if (a.isGroup()) throw new MessageException(header + ": group syntax is not supported: \"" + value + "\"");
            requireValid(header, a.getAddress());
            out.add(a);
        }
        if (out.isEmpty()) throw new MessageException(header + ": no address in \"" + value + "\"");
        return out;
    }

    static InternetAddress parseSingle(String header, String value) throws MessageException {
        List<InternetAddress> list = parseList(header, value);
        if (list.size() != 1) throw new MessageException(header + ": expected one address, got " + list.size() + " in \"" + value + "\"");
        return list.get(0);
    }

    static void requireValid(String header, String address) throws MessageException {
        if (address == null || address.isEmpty()) throw new MessageException(header + ": empty address");
        for (char c : address.toCharArray()) {
            if (c > 0x7e) {
                throw new MessageException(header + ": \"" + address + "\" has non-ASCII characters; internationalized"
                        + " addresses need SMTPUTF8, which mailroom does not use yet");
            }
        }
        int at = address.lastIndexOf('@');
        if (at <= 0) throw new MessageException(header + ": \"" + address + "\" is not an address of the form name@domain");
        String local = address.substring(0, at);
        String domain = address.substring(at + 1);
        if (!(DOT_ATOM.matcher(local).matches() || QUOTED.matcher(local).matches()) || local.length() > 64) {
            throw new MessageException(header + ": \"" + address + "\" has an invalid local part");
        }
        if (!DOMAIN.matcher(domain).matches() || domain.length() > 255) {
            throw new MessageException(header + ": \"" + address + "\" has an invalid domain");
        }
    }
}
