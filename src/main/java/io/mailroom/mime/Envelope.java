package io.mailroom.mime;

import java.util.List;

/**
 * Where a row's message goes: the envelope sender (may be empty for the null reverse-path) and every
 * envelope address with its kind (to, cc, bcc) in header order, each address once (the first kind wins).
 * Bcc addresses are here and in no header.
 */
public record Envelope(String from, List<Entry> addresses) {
    public record Entry(String kind, String address) { }

    public Envelope {
        addresses = List.copyOf(addresses);
    }

    /** Every address, in order. */
    public List<String> recipients() {
        return addresses.stream().map(Entry::address).toList();
    }

    /** The visible To addresses. */
    public List<String> to() {
        return addresses.stream().filter(e -> e.kind().equals("to")).map(Entry::address).toList();
    }

    /** True when an address has a UTF-8 local part: the message can only go to a server offering SMTPUTF8. */
    public boolean needsSmtpUtf8() {
        return AddressRules.isInternationalized(from) || recipients().stream().anyMatch(AddressRules::isInternationalized);
    }
}
