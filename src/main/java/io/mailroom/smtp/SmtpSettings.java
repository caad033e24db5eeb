package io.mailroom.smtp;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything needed to open a session. {@code credentials} null means no AUTH (for XOAUTH2 the password is
 * the access token); {@code trust} is an extra
 * PEM file of CA or server certificates trusted besides the system's; {@code timeout} null means the
 * RFC 5321 section 4.5.3.2 default for each stage, otherwise it caps every wait.
 */
public record SmtpSettings(String host, int port, Security security, Credentials credentials, AuthMechanism auth, Path trust,
                           boolean allowPlaintextAuth, Duration timeout, String heloName) {

    @Override
    public String toString() {
        return "SmtpSettings[" + host + ":" + port + " " + security + (credentials == null ? "" : " as " + credentials.username()) + "]";
    }
}
