package io.mailroom.smtp;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads SMTP replies from a stream, strictly: every line is three digits then '-', ' ' or the end of the
 * line, and all lines of a multi-line reply carry the same code; anything else is a protocol error quoting
 * the line. Lines end in CRLF (a bare LF is tolerated on input). Size is capped so a hostile server cannot
 * exhaust memory. Keeps its own buffer, so {@link #hasBufferedInput()} can reveal bytes a server sent
 * ahead of time (the STARTTLS response-injection attack).
 */
public final class ReplyReader {
    static final int MAX_LINE_OCTETS = 4096;
    static final int MAX_LINES = 200;

    private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?: +|$)");

    private final InputStream in;
    private final Transcript transcript;
    private final byte[] buffer = new byte[8192];
    private int pos;
    private int limit;

    public ReplyReader(InputStream in, Transcript transcript) {
        this.in = in;
        this.transcript = transcript;
    }

    /** True when bytes arrived that no command has asked for yet. */
    public boolean hasBufferedInput() { return pos < limit; }

    /** The first line of what is buffered and not read, quoted for a message. */
    String bufferedLine() {
        int end = pos;
        while (end < limit && buffer[end] != '\r' && buffer[end] != '\n') end++;
        return quote(new String(buffer, pos, end - pos, StandardCharsets.UTF_8));
    }

    /** Drops bytes already received but not read (after STARTTLS they must not be trusted). */
    public int discardBuffered() {
        int dropped = limit - pos;
        pos = limit = 0;
        return dropped;
    }

    public SmtpReply read() throws IOException {
        List<String> texts = new ArrayList<>();
        int code = -1;
        while (true) {
            String line = readLine();
            transcript.server(line);
            if (line.length() < 3 || !isDigits(line.substring(0, 3))
                    || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
                throw new SmtpProtocolException("malformed reply line: \"" + quote(line) + "\"");
            }
            int lineCode = Integer.parseInt(line.substring(0, 3));
            if (lineCode < 200 || lineCode > 599) {
                throw new SmtpProtocolException("reply code out of range: \"" + quote(line) + "\"");
            }
            if (code != -1 && lineCode != code) {
                throw new SmtpProtocolException("multi-line reply changed its code from " + code + ": \"" + quote(line) + "\"");
            }
            code = lineCode;
            texts.add(line.length() > 4 ? line.substring(4) : "");
            if (texts.size() > MAX_LINES) throw new SmtpProtocolException("reply longer than " + MAX_LINES + " lines");
            if (line.length() == 3 || line.charAt(3) == ' ') return withEnhancedCode(code, texts);
        }
    }

    /**
     * Splits an RFC 3463 enhanced code off the text. Its class must agree with the reply's; a server that
     * says "250 5.1.1" gets "2.0.0" (the reply code is what the protocol acts on).
     */
    static SmtpReply withEnhancedCode(int code, List<String> texts) {
        Matcher first = ENHANCED.matcher(texts.get(0));
        if (!first.find()) return new SmtpReply(code, null, texts);
        String enhanced = first.group(1).charAt(0) - '0' == code / 100
                ? first.group(1) + "." + first.group(2) + "." + first.group(3)
                : code / 100 + ".0.0";
        List<String> stripped = new ArrayList<>(texts.size());
        for (String t : texts) {
            Matcher m = ENHANCED.matcher(t);
            stripped.add(m.find() ? t.substring(m.end()) : t);
        }
        return new SmtpReply(code, enhanced, stripped);
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        while (true) {
            if (pos == limit) {
                int n = in.read(buffer, 0, buffer.length);
                if (n < 0) {
                    throw new EOFException(line.size() == 0 ? "connection closed by server"
                            : "connection closed by server in the middle of a reply line");
                }
                pos = 0;
                limit = n;
            }
            byte b = buffer[pos++];
            if (b == '\n') break;
            line.write(b);
            if (line.size() > MAX_LINE_OCTETS) throw new SmtpProtocolException("reply line longer than " + MAX_LINE_OCTETS + " octets");
        }
        byte[] bytes = line.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    private static boolean isDigits(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return true;
    }

    private static String quote(String line) {
        String shown = line.length() > 80 ? line.substring(0, 80) + "..." : line;
        StringBuilder sb = new StringBuilder();
        for (char c : shown.toCharArray()) sb.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        return sb.toString();
    }
}
