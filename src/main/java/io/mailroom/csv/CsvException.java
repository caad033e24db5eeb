package io.mailroom.csv;

/** The CSV cannot be used at all (no header, bad encoding, broken quoting). The message names file and row. */
public final class CsvException extends Exception {
    public CsvException(String message, Throwable cause) { super(message, cause); }
}
