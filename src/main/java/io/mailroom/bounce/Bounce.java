package io.mailroom.bounce;

import java.time.Instant;
import java.util.List;

/**
 * What one message in a bounce mailbox says. A value: {@link BounceReader} makes it, the caller decides what it
 * changes. Addresses are bare and lower-cased; {@code returnedMessageId} is in angle brackets like the Message-ID
 * mailroom sends; any field the message does not carry is null (lists are empty, never null).
 *
 * @param reportingMta      Reporting-MTA without its "dns;" type
 * @param envelopeId        Original-Envelope-Id (the ENVID the message was sent with, decoded, as reports give it)
 * @param returnedMessageId Message-ID of the returned message (or of its headers quoted in a plain-text bounce)
 * @param arrivedAt         Arrival-Date, else the bounce's own Date; null if neither parses
 * @param deliveredTo       the bounce's own envelope-recipient evidence, in order: Delivered-To, X-Original-To,
 *                          Envelope-To, To (where a VERP token local+TOKEN@domain shows)
 * @param subject           the bounce's Subject, decoded
 */
public record Bounce(Kind kind, String reportingMta, String envelopeId, String returnedMessageId, Instant arrivedAt,
                     List<Recipient> recipients, List<String> deliveredTo, String subject) {

    public Bounce {
        recipients = List.copyOf(recipients);
        deliveredTo = List.copyOf(deliveredTo);
    }

    /** OTHER: not a bounce we understand; never guessed onto an address. */
    public enum Kind { FAILED, DELAYED, AUTO_REPLY, OTHER }

    /**
     * One recipient the report is about.
     *
     * @param action     failed | delayed | delivered | relayed | expanded (RFC 3464), lower case
     * @param status     the enhanced status code, e.g. "5.1.1"; null if the report gives none
     * @param diagnostic the remote server's words without the "smtp;" type, unfolded, at most 1000 characters
     */
    public record Recipient(String finalRecipient, String originalRecipient, String action, String status, String diagnostic) { }
}
