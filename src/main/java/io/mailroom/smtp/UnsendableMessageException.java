package io.mailroom.smtp;

/**
 * A message or envelope that must never reach the wire (a line over 998 octets, an address that could inject
 * a command). Thrown before any byte of the transaction is written, so the session stays usable.
 */
public final class UnsendableMessageException extends Exception {
    public UnsendableMessageException(String message) { super(message); }
}
