package io.mailroom.smtp;

/**
 * The envelope address rule at the wire: an address goes into MAIL FROM or RCPT TO only without spaces,
 * angle brackets, control or line-separator characters, and with a local part and a domain. Non-ASCII is
 * allowed (the message then needs SMTPUTF8) and always written as UTF-8, never narrowed to one byte.
 */
final class Addresses {
    private Addresses() { }

    static void requireSendable(String address, boolean mayBeNull) throws UnsendableMessageException {
        if (address.isEmpty() && mayBeNull) return;
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            if (c <= 0x20 || c == '<' || c == '>' || CommandWriter.isForbidden(c)) {
                throw new UnsendableMessageException(String.format(
                        "address \"%s\" has character U+%04X, which cannot go into an SMTP command", printable(address), (int) c));
            }
        }
        int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1) {
            throw new UnsendableMessageException("\"" + address + "\" is not an address of the form local@domain");
        }
    }

    static boolean isInternationalized(String address) {
        return address.chars().anyMatch(c -> c >= 0x80);
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) sb.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        return sb.toString();
    }
}
