package io.mailroom.bounce;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Where a job's bounces arrive: the envelope sender's mailbox, read over POP3 or IMAP. {@code password} is
 * asked for only when a connection is about to open (what it throws, an unset variable or a missing file,
 * propagates unchanged); {@code trust} is a PEM file of certificates trusted besides the system's CAs, or
 * null. {@code folder} and {@code moveTo} are IMAP's (POP3 has INBOX only); {@code moveTo} null removes a
 * processed message instead of moving it. {@code timeout} caps connecting and every wait for the server.
 * {@link #toString()} never shows the password.
 */
public record Mailbox(Protocol protocol, String host, int port, Security security, String username,
                      Supplier<String> password, boolean allowPlaintextAuth, Path trust,
                      String folder, String moveTo, Duration timeout) {
    public enum Protocol { POP3, IMAP }

    public enum Security { TLS, STARTTLS, NONE }

    /** host:port, as the messages name the server. */
    public String address() { return host + ":" + port; }

    @Override
    public String toString() {
        return "Mailbox[" + protocol + " " + username + "@" + address() + " " + security + ", folder=" + folder + ", moveTo=" + moveTo + "]";
    }
}
