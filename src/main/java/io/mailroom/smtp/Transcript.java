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

    /**
     * Raw DATA octets were handed to the connection (perhaps only buffered): the content at {@link Step#CONTENT},
     * the final "." at {@link Step#END_OF_DATA}. A count, so the order of writes can be checked without the content.
     */
    default void wrote(Step step, int octets) { }

    Transcript NONE = new Transcript() {
        @Override public void client(String line) { }
        @Override public void server(String line) { }
    };
}
