package io.mailroom.smtp;

/**
 * The password could not be read from its source (an unset variable, a missing file) when a session was about
 * to authenticate; the source's own error is the cause and gives the message. Unchecked: it ends the run
 * wherever the session was opened, and says nothing about the server.
 */
public final class PasswordUnavailableException extends RuntimeException {
    public PasswordUnavailableException(Exception cause) {
        super(cause.getMessage(), cause);
    }
}
