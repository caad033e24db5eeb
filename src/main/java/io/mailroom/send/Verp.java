package io.mailroom.send;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * VERP (variable envelope return path, envelope.verp=true): each attempt's MAIL FROM is {@code local+TOKEN@domain},
 * so a bounce, however mangled, names the row and attempt it is about in the address it was sent back to. TOKEN is
 * {@code r<row id>a<attempt>-<mac>}: internal numbers (no address, no name) and eight characters of a keyed hash
 * with the job's secret, so nobody can make a row bounced by writing to a made-up address. The same token is the attempt's
 * ENVID when the job asks for delivery status notifications (dsn.envid).
 */
public final class Verp {
    private static final Pattern TOKEN = Pattern.compile("r([0-9a-z]{1,13})a([0-9a-z]{1,7})-([a-z2-7]{8})");
    private static final String BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

    private final byte[] key;

    public Verp(byte[] key) {
        this.key = key.clone();
    }

    /** What a token names: the row (recipient id) and its attempt. */
    public record Attempt(long recipientId, int attempt) { }

    /** The return path of attempt {@code attempt} of row {@code recipientId} sent from {@code from}; the null reverse path stays null. */
    public String returnPath(String from, long recipientId, int attempt) {
        if (from == null || from.isEmpty()) return from;
        int at = from.lastIndexOf('@');
        return from.substring(0, at) + "+" + token(recipientId, attempt) + from.substring(at);
    }

    /** The token of attempt {@code attempt} of row {@code recipientId}: also that attempt's ENVID (dsn.envid), at most 31 characters. */
    public String token(long recipientId, int attempt) {
        String named = "r" + Long.toString(recipientId, 36) + "a" + Integer.toString(attempt, 36);
        return named + "-" + mac(named);
    }

    /**
     * The row a token names, read without the key: for looking up the attempt whose ENVID it is, where the stored ENVID,
     * not this, decides whether it is one of the job's.
     */
    public static Optional<Long> rowOf(String token) {
        Matcher m = TOKEN.matcher(token.toLowerCase(Locale.ROOT));
        if (!m.matches()) return Optional.empty();
        try {
            return Optional.of(Long.parseLong(m.group(1), 36));
        } catch (NumberFormatException tooLarge) {
            return Optional.empty();
        }
    }

    /** The attempt {@code address} was the return path of, when it carries a token this job's key made. */
    public Optional<Attempt> attempt(String address) {
        int at = address.lastIndexOf('@');
        int plus = at < 0 ? -1 : address.lastIndexOf('+', at);
        if (plus < 0) return Optional.empty();
        Matcher m = TOKEN.matcher(address.substring(plus + 1, at).toLowerCase(Locale.ROOT));
        if (!m.matches()) return Optional.empty();
        String token = "r" + m.group(1) + "a" + m.group(2);
        if (!java.security.MessageDigest.isEqual(mac(token).getBytes(StandardCharsets.US_ASCII), m.group(3).getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Attempt(Long.parseLong(m.group(1), 36), Integer.parseInt(m.group(2), 36)));
        } catch (NumberFormatException tooLarge) {
            return Optional.empty();
        }
    }

    /** Eight base-32 characters (40 bits) of HMAC-SHA256 of {@code token}. */
    private String mac(String token) {
        try {
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] h = hmac.doFinal(token.getBytes(StandardCharsets.US_ASCII));
            long bits = 0;
            for (int i = 0; i < 5; i++) bits = bits << 8 | (h[i] & 0xff);
            StringBuilder out = new StringBuilder();
            for (int i = 7; i >= 0; i--) out.append(BASE32.charAt((int) (bits >>> (5 * i)) & 31));
            return out.toString();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
