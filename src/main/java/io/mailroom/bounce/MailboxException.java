package io.mailroom.bounce;

/**
 * The bounce mailbox could not be read, in words a user can act on (the job-file key that fixes it); never
 * carries a password. {@link Kind} says which exit code fits: the server could not be reached or refused us
 * ({@code UNREACHABLE}, {@code HOST_NOT_FOUND}, {@code REFUSED}: 69), the login was refused
 * ({@code AUTH_REJECTED}: 77), the job's settings forbid or name what is not there ({@code POLICY}: 78), or
 * the handler failed with a checked exception ({@code HANDLER}: the cause decides, as its own).
 */
public final class MailboxException extends Exception {
    public enum Kind { UNREACHABLE, HOST_NOT_FOUND, REFUSED, AUTH_REJECTED, POLICY, HANDLER }

    private final Kind kind;

    public MailboxException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() { return kind; }
}
