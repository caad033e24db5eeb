package io.mailroom.smtp;

import java.util.List;

/**
 * One message ready for a session: envelope sender (empty for the null reverse-path), recipients, and
 * the DATA stream already dot-stuffed, CRLF-only and terminated. Built only by {@link #of}, which refuses
 * anything that must not reach the wire, before any attempt is recorded.
 */
public final class Mail {
    private final String from;
    private final List<String> recipients;
    private final byte[] data;
    private final int size;

    private Mail(String from, List<String> recipients, byte[] data, int size) {
        this.from = from;
        this.recipients = recipients;
        this.data = data;
        this.size = size;
    }

    public static Mail of(String from, List<String> recipients, byte[] content) throws UnsendableMessageException {
        if (recipients.isEmpty()) throw new UnsendableMessageException("a message needs at least one recipient");
        Addresses.requireSendable(from, true);
        for (String r : recipients) Addresses.requireSendable(r, false);
        return new Mail(from, List.copyOf(recipients), DataWriter.encode(content), content.length);
    }

    /** This message with another envelope sender (VERP: a return path per attempt), checked as {@link #of} checks it. */
    public Mail withFrom(String returnPath) throws UnsendableMessageException {
        Addresses.requireSendable(returnPath, true);
        return new Mail(returnPath, recipients, data, size);
    }

    public String from() { return from; }

    public List<String> recipients() { return recipients; }

    /** True when an envelope address is not ASCII: only a server offering SMTPUTF8 (RFC 6531) may get it. */
    public boolean needsSmtpUtf8() {
        return Addresses.isInternationalized(from) || recipients.stream().anyMatch(Addresses::isInternationalized);
    }

    /** The message size in octets, as announced with SIZE= (RFC 1870). */
    public int size() { return size; }

    byte[] data() { return data; }
}
