package io.mailroom.store;

/** The database server refused mailroom's user name or password. */
public final class DatabaseLoginException extends Exception {
    public DatabaseLoginException(String message, Throwable cause) {
        super(message, cause);
    }
}
