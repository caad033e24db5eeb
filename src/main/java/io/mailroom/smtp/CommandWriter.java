package io.mailroom.smtp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes command lines (the caller flushes, so a pipelined group leaves in one write). The wire invariant lives here: a command is printable US-ASCII only, so no CR,
 * LF, NUL or non-ASCII character (one that could narrow to CR/LF) can ever reach the wire from data.
 * Violations are bugs upstream and throw {@link IllegalArgumentException} before anything is written.
 */
final class CommandWriter {
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
        requirePrintableAscii(command);
        transcript.client(shown);
        out.write(command.getBytes(StandardCharsets.US_ASCII));
        out.write('\r');
        out.write('\n');
    }

    static void requirePrintableAscii(String command) {
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException(String.format("refusing to write a command with character U+%04X", (int) c));
            }
        }
        if (command.length() > 510) throw new IllegalArgumentException("command longer than 512 octets");
    }
}
