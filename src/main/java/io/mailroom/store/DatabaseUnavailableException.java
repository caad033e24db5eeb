package io.mailroom.store;

/** The database server could not be reached, or would not take another connection now: run again later. */
public final class DatabaseUnavailableException extends Exception {
    public DatabaseUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
