package io.mailroom.template;

/** This row cannot become a message (undefined variable, header injection, malformed header line). */
public class RowRenderException extends Exception {
    public RowRenderException(String message) { super(message); }
}
