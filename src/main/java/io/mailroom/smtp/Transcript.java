package io.mailroom.smtp;

/**
 * Receives every line of the dialogue. Client lines arrive already redacted (AUTH arguments), so a
 * transcript can be written anywhere without leaking a secret. Message content is not passed.
 */
public interface Transcript {
    void client(String line);

    void server(String line);

    /** Notes that are not protocol lines: TLS established, bytes discarded, connection closed. */
    default void note(String text) { }

    Transcript NONE = new Transcript() {
        @Override public void client(String line) { }
        @Override public void server(String line) { }
    };
}
