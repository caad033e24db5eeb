package io.mailroom.job;

/** An input the user named (job file, CSV, template, password file, stored job) does not exist or cannot be read. */
public final class InputMissingException extends Exception {
    public InputMissingException(String message, Throwable cause) { super(message, cause); }
}
