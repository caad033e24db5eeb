package io.mailroom.mime;

import java.util.List;

/**
 * A message ready for the wire: envelope sender (may be empty for the null reverse-path), every envelope
 * recipient (To, Cc and Bcc, each once), the visible To addresses, the RFC 5322 bytes with CRLF line
 * endings, and its Message-ID.
 */
public record OutgoingMessage(String envelopeFrom, List<String> recipients, List<String> to, byte[] bytes, String messageId) {

    /** True when an address has a UTF-8 local part: the message can only go to a server offering SMTPUTF8. */
    public boolean needsSmtpUtf8() {
        return AddressRules.isInternationalized(envelopeFrom) || recipients.stream().anyMatch(AddressRules::isInternationalized);
    }

    public OutgoingMessage {
        recipients = List.copyOf(recipients);
        to = List.copyOf(to);
    }
}
