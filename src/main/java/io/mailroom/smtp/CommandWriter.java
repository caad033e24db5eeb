package io.mailroom.smtp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes command lines (the caller flushes, so a pipelined group leaves in one write). The wire invariant
 * lives here: no CR, LF, NUL, other control character (C0 or C1) or Unicode line separator can ever reach
 * the wire from data, and non-ASCII (used only with SMTPUTF8) is encoded as UTF-8, so no character is
 * narrowed to a byte that could read as CR or LF. Violations are bugs upstream and throw
 * {@link IllegalArgumentException} before anything is written.
 */
final class CommandWriter {
    /** A command line's octets without its CRLF (RFC 5321 section 4.5.3.1.4: 512 with it). */
    static final int COMMAND_OCTETS = 510;
    /** A SASL response after a 334 (RFC 4954 section 4: 12288 octets with its CRLF), room for an OAuth token. */
    static final int RESPONSE_OCTETS = 12286;

    private final OutputStream out;
    private final Transcript transcript;

    CommandWriter(OutputStream out, Transcript transcript) {
        this.out = out;
        this.transcript = transcript;
    }

    void write(String command) throws IOException {
        write(command, command);
    }

    /** Writes {@code command}; the transcript sees {@code shown} (AUTH lines redacted). */
    void write(String command, String shown) throws IOException {
        write(command, shown, COMMAND_OCTETS);
    }

    /** Writes a line answering a 334 (AUTH's exchange), which may be longer than a command. */
    void writeResponse(String response, String shown) throws IOException {
        write(response, shown, RESPONSE_OCTETS);
    }

    private void write(String command, String shown, int octets) throws IOException {
        requireSafe(command, octets);
        transcript.client(shown);
        out.write(command.getBytes(StandardCharsets.UTF_8));
        out.write('\r');
        out.write('\n');
    }

    static boolean isForbidden(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029;
    }

    private static void requireSafe(String command, int octets) {
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (isForbidden(c)) {
                throw new IllegalArgumentException(String.format("refusing to write a command with character U+%04X", (int) c));
            }
        }
        if (command.getBytes(StandardCharsets.UTF_8).length > octets) throw new IllegalArgumentException("line longer than " + (octets + 2) + " octets");
    }
}
