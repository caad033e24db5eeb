package io.mailroom.mime;

/** The rendered row cannot become a valid message (bad address, missing From, no recipient). */
public final class MessageException extends Exception {
    public MessageException(String message) { super(message); }

    public MessageException(String message, Throwable cause) { super(message, cause); }
}
