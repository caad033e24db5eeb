package io.mailroom.template;

/** A template that cannot be used for any row; the message names the file, line and column. */
public final class TemplateSyntaxException extends Exception {
    public TemplateSyntaxException(String message, Throwable cause) { super(message, cause); }
}
