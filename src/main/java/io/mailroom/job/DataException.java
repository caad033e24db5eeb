package io.mailroom.job;

/** The CSV or a template cannot be used at all; nothing was sent. The message names file, row or line. */
public final class DataException extends Exception {
    public DataException(String message, Throwable cause) { super(message, cause); }
}
