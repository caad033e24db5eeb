package io.mailroom.bounce;

/**
 * A message in the bounce mailbox that cannot be read at all (not a mail message, a MIME structure without
 * boundaries, a part that cannot be decoded, over the size limit). The message says why, in words a user can read;
 * the caller skips the message with that reason and leaves it where it is.
 */
public final class UnreadableBounce extends Exception {
    public UnreadableBounce(String reason) {
        super(reason);
    }

    public UnreadableBounce(String reason, Throwable cause) {
        super(reason, cause);
    }
}
