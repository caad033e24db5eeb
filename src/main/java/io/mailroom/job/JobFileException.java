package io.mailroom.job;

/** The job file (or its stored snapshot) has a missing, unknown or invalid key. Names the file and key. */
public final class JobFileException extends Exception {
    public JobFileException(String message) { super(message); }
}
