package io.mailroom.dkim;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Signs a message's bytes as they will go on the wire (after every header is final, before dot-stuffing) with a
 * DKIM-Signature (RFC 6376; Ed25519 per RFC 8463), prepended: relaxed/relaxed, t= from the clock, bh= over the
 * body as sent. h= lists each header of {@link #SIGNED} (and the job's extra names) as often as the message has
 * it, so none can be added or changed unnoticed, and From once more than that ("over-signed"), so a second From
 * added on the way breaks the signature. The header is folded into lines under 78 characters.
 *
 * <p>Built once per run: the key is parsed and checked before ({@link DkimKey}); each thread that signs keeps its
 * own initialized {@link Signature} and digest, so a million messages cost a million signatures, not a million key
 * setups. Signing cannot fail for a message mailroom built: a failure of the JDK's providers is a bug (unchecked).
 */
public final class DkimSigner {
    /** The headers signed when present, as RFC 6376 §5.4.1 and RFC 8058 §4 recommend. From is always there. */
    public static final List<String> SIGNED = List.of("From", "To", "Cc", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type",
            "Reply-To", "List-Unsubscribe", "List-Unsubscribe-Post");
    /** Line length the folded header stays under, CRLF excluded (RFC 5322 §2.1.1 recommends 78 with it). */
    private static final int LINE = 76;

    private final String domain;
    private final String selector;
    private final DkimKey key;
    /** Lower-case names to sign, in h= order, each once. */
    private final List<String> names;
    private final Clock clock;
    private final ThreadLocal<Tools> tools;

    /** A thread's signature (initialized with the key) and SHA-256 digest, reused message after message. */
    private record Tools(Signature signature, MessageDigest sha256) { }

    /**
     * {@code domain} (d=) and {@code selector} (s=) are checked by the caller; {@code extra} names headers to sign
     * besides {@link #SIGNED} when present.
     */
    public DkimSigner(String domain, String selector, DkimKey key, List<String> extra, Clock clock) {
        this.domain = domain;
        this.selector = selector;
        this.key = key;
        this.clock = clock;
        Map<String, String> unique = new LinkedHashMap<>();
        for (String n : SIGNED) unique.put(n.toLowerCase(Locale.ROOT), n);
        for (String n : extra) unique.putIfAbsent(n.toLowerCase(Locale.ROOT), n);
        this.names = List.copyOf(unique.keySet());
        this.tools = ThreadLocal.withInitial(this::tools);
        tools.get();
    }

    private Tools tools() {
        try {
            Signature s = Signature.getInstance(key.algorithm().jdkName);
            s.initSign(key.key());
            return new Tools(s, MessageDigest.getInstance("SHA-256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot sign with " + key.algorithm().tag() + ": " + e.getMessage(), e);
        }
    }

    /** The signing domain (d=). */
    public String domain() { return domain; }

    /** The key's algorithm (a=). */
    public DkimKey.Algorithm algorithm() { return key.algorithm(); }

    /** {@code message} (CRLF line endings, headers, blank line, body) with a DKIM-Signature header in front. */
    public byte[] sign(byte[] message) {
        Tools t = tools.get();
        int bodyStart = bodyStart(message);
        List<byte[]> fields = fields(message, bodyStart < 0 ? message.length : bodyStart - 2);
        Relaxed.body(message, bodyStart < 0 ? message.length : bodyStart, t.sha256());
        String bodyHash = Base64.getEncoder().encodeToString(t.sha256().digest());

        ByteArrayOutputStream signed = new ByteArrayOutputStream();
        List<String> h = new ArrayList<>();
        for (String name : names) {
            List<byte[]> present = fields.stream().filter(f -> named(f, name)).toList();
            // the last instance first (RFC 6376 §5.4.2); From once more than present, which signs its absence
            for (int i = present.size() - 1; i >= 0; i--) Relaxed.header(present.get(i), signed);
            for (int i = 0; i < present.size(); i++) h.add(name);
            if (name.equals("from")) h.add(name);
        }
        Folded header = new Folded("DKIM-Signature:");
        header.tag("v=1;").tag("a=" + key.algorithm().tag() + ";").tag("c=relaxed/relaxed;").tag("d=" + domain + ";").tag("s=" + selector + ";")
                .tag("t=" + clock.instant().getEpochSecond() + ";");
        header.tag("h=" + h.get(0));
        for (String name : h.subList(1, h.size())) header.glued(":" + name);
        header.glued(";").tag("bh=" + bodyHash + ";").tag("b=");
        Relaxed.header(header.toString().getBytes(StandardCharsets.US_ASCII), signed);
        // the signature header itself is signed with an empty b= and without its CRLF (RFC 6376 §3.7)
        byte[] data = signed.toByteArray();
        String b = Base64.getEncoder().encodeToString(signature(t, data, data.length - 2));
        for (int i = 0; i < b.length(); i += 64) header.glued(b.substring(i, Math.min(b.length(), i + 64)));
        byte[] head = (header + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[head.length + message.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(message, 0, out, head.length, message.length);
        return out;
    }

    private byte[] signature(Tools t, byte[] data, int length) {
        try {
            if (key.algorithm() == DkimKey.Algorithm.ED25519_SHA256) {
                t.sha256().update(data, 0, length);
                t.signature().update(t.sha256().digest());
            } else {
                t.signature().update(data, 0, length);
            }
            return t.signature().sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing with " + key.algorithm().tag() + " failed: " + e.getMessage(), e);
        }
    }

    /** Where the body starts: after the first empty line; -1 for a message of headers alone. */
    private static int bodyStart(byte[] m) {
        for (int i = 0; i + 3 < m.length; i++) {
            if (m[i] == '\r' && m[i + 1] == '\n' && m[i + 2] == '\r' && m[i + 3] == '\n') return i + 4;
        }
        return -1;
    }

    /** The header fields in {@code m[0, end)}, each with its continuation lines and without its final CRLF. */
    private static List<byte[]> fields(byte[] m, int end) {
        List<byte[]> fields = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < end; i++) {
            boolean lineEnds = m[i] == '\r' && i + 1 < end && m[i + 1] == '\n';
            if (!lineEnds) continue;
            boolean continues = i + 2 < end && (m[i + 2] == ' ' || m[i + 2] == '\t');
            if (!continues) {
                fields.add(java.util.Arrays.copyOfRange(m, start, i));
                start = i + 2;
            }
            i++;
        }
        if (start < end) fields.add(java.util.Arrays.copyOfRange(m, start, end));
        return fields;
    }

    private static boolean named(byte[] field, String lowerName) {
        int n = lowerName.length();
        if (field.length <= n) return false;
        for (int i = 0; i < n; i++) {
            int c = field[i];
            if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
            if (c != lowerName.charAt(i)) return false;
        }
        int i = n;
        while (i < field.length && (field[i] == ' ' || field[i] == '\t')) i++;
        return i < field.length && field[i] == ':';
    }

    /** A header built a token at a time, folded before a token that would pass {@link #LINE}. */
    private static final class Folded {
        private final StringBuilder text = new StringBuilder();
        private int lineLength;

        Folded(String start) {
            text.append(start);
            lineLength = start.length();
        }

        /** A tag, after a space. */
        Folded tag(String token) {
            return add(" ", token);
        }

        /** A piece of the current value, where folding white space may go but need not (RFC 6376 §3.5: h=, bh=, b=). */
        Folded glued(String token) {
            return add("", token);
        }

        private Folded add(String separator, String token) {
            if (lineLength + separator.length() + token.length() > LINE) {
                text.append("\r\n ");
                lineLength = 1;
            } else {
                text.append(separator);
                lineLength += separator.length();
            }
            text.append(token);
            lineLength += token.length();
            return this;
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
