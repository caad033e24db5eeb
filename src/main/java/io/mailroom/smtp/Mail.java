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
    /** What this attempt asks of delivery status notifications (null: nothing), and its ENVID (null: none). */
    private final Dsn dsn;
    private final String envid;

    private Mail(String from, List<String> recipients, byte[] data, int size, Dsn dsn, String envid) {
        this.from = from;
        this.recipients = recipients;
        this.data = data;
        this.size = size;
        this.dsn = dsn;
        this.envid = envid;
    }

    public static Mail of(String from, List<String> recipients, byte[] content) throws UnsendableMessageException {
        if (recipients.isEmpty()) throw new UnsendableMessageException("a message needs at least one recipient");
        Addresses.requireSendable(from, true);
        for (String r : recipients) Addresses.requireSendable(r, false);
        return new Mail(from, List.copyOf(recipients), DataWriter.encode(content), content.length, null, null);
    }

    /** This message with another envelope sender (VERP: a return path per attempt), checked as {@link #of} checks it. */
    public Mail withFrom(String returnPath) throws UnsendableMessageException {
        Addresses.requireSendable(returnPath, true);
        return new Mail(returnPath, recipients, data, size, dsn, envid);
    }

    /**
     * This message with DSN parameters (RFC 3461) for a session whose server offers DSN, and the attempt's ENVID
     * (null for none): printable ASCII, at most {@link Dsn#ENVID_MAX} characters, made by the caller, so anything
     * else is a bug.
     */
    public Mail withDsn(Dsn dsn, String envid) {
        if (envid != null && (envid.isEmpty() || envid.length() > Dsn.ENVID_MAX || !envid.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
            throw new IllegalArgumentException("an ENVID must be 1 to " + Dsn.ENVID_MAX + " printable ASCII characters: " + envid);
        }
        return new Mail(from, recipients, data, size, dsn, envid);
    }

    public String from() { return from; }

    public List<String> recipients() { return recipients; }

    /** True when an envelope address is not ASCII: only a server offering SMTPUTF8 (RFC 6531) may get it. */
    public boolean needsSmtpUtf8() {
        return Addresses.isInternationalized(from) || recipients.stream().anyMatch(Addresses::isInternationalized);
    }

    /** The message size in octets, as announced with SIZE= (RFC 1870). */
    public int size() { return size; }

    /** The DSN parameters this attempt carries, or null. */
    public Dsn dsn() { return dsn; }

    /** This attempt's ENVID, or null: kept with the attempt, so a report that names it finds the row. */
    public String envid() { return envid; }

    byte[] data() { return data; }
}
