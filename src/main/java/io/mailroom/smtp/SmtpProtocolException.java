package io.mailroom.smtp;

import java.io.IOException;

/** The server sent something that is not a well-formed SMTP reply; quotes the offending line. */
public final class SmtpProtocolException extends IOException {
    public SmtpProtocolException(String message) { super(message); }
}
