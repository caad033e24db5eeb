package io.mailroom.smtp;

import java.util.List;

/**
 * One SMTP reply (RFC 5321 section 4.2): a three-digit code, the RFC 3463 enhanced status code when the
 * server sent one (else null), and the text of every line with code and enhanced code removed.
 * Immutable; produced only by {@link ReplyReader} or by tests.
 */
public record SmtpReply(int code, String enhanced, List<String> lines) {

    public SmtpReply {
        if (code < 200 || code > 599) throw new IllegalArgumentException("reply code out of range: " + code);
        lines = List.copyOf(lines);
    }

    public static SmtpReply of(int code, String enhanced, String text) {
        return new SmtpReply(code, enhanced, List.of(text));
    }

    public boolean isPositive() { return code / 100 == 2; }
    public boolean isTransient() { return code / 100 == 4; }
    public boolean isPermanent() { return code / 100 == 5; }

    /** 421: the server is closing the transmission channel; the session carries nothing more. */
    public boolean isClosing() { return code == 421; }

    /** The lines joined by a newline, without codes. */
    public String text() { return String.join("\n", lines); }

    @Override
    public String toString() {
        return code + (enhanced == null ? "" : " " + enhanced) + (lines.isEmpty() ? "" : " " + String.join(" / ", lines));
    }
}
