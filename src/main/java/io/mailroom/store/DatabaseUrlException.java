package io.mailroom.store;

/** The database URL (--db or MAILROOM_DB) cannot hold a job: no driver takes it, or no other connection could see it. */
public final class DatabaseUrlException extends Exception {
    public DatabaseUrlException(String message, Throwable cause) {
        super(message, cause);
    }
}
