package io.mailroom.dkim;

/** A DKIM key file that was read but cannot sign: not a private key, encrypted, of a type DKIM has no algorithm for, or too weak. */
public final class DkimKeyException extends Exception {
    public DkimKeyException(String message) {
        super(message);
    }
}
