package io.mailroom.mime;

import java.util.List;

/**
 * A message ready for the wire: envelope sender (may be empty for the null reverse-path), every envelope
 * recipient (To, Cc and Bcc, each once), the visible To addresses, the RFC 5322 bytes with CRLF line
 * endings, and its Message-ID.
 */
public record OutgoingMessage(String envelopeFrom, List<String> recipients, List<String> to, byte[] bytes, String messageId) {
    public OutgoingMessage {
        recipients = List.copyOf(recipients);
        to = List.copyOf(to);
    }
}
