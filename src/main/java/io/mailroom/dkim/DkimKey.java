package io.mailroom.dkim;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A DKIM private key read from a PEM file: PKCS#8 ({@code BEGIN PRIVATE KEY}, RSA or Ed25519, as {@code openssl
 * genpkey} writes it) or PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, as opendkim-genkey and older openssl write it).
 * The key's type decides the algorithm: rsa-sha256 or ed25519-sha256 (RFC 8463). Refuses, naming the file, what
 * cannot sign safely: a public key, an encrypted key (there is no one to ask for its passphrase), another type
 * (EC, DSA), and RSA under 2048 bits (RFC 8301 makes 1024 the floor; the big mailbox providers want 2048). The
 * key itself is never printed: messages say what the file holds, not its contents.
 */
public record DkimKey(PrivateKey key, Algorithm algorithm) {
    /** RSA keys shorter than this are refused. */
    public static final int LEAST_RSA_BITS = 2048;
    /** A PEM key file is a few kilobytes; anything much larger is not one, and is not read whole. */
    private static final long LARGEST_FILE = 64 * 1024;
    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\R?(.*?)-----END \\1-----", Pattern.DOTALL);

    /** The DKIM algorithms, by the a= tag that names them and the JDK signature that computes them. */
    public enum Algorithm {
        RSA_SHA256("rsa-sha256", "SHA256withRSA", "rsa"),
        /** Ed25519 signs the SHA-256 of the canonical headers, not the headers themselves (RFC 8463 §3). */
        ED25519_SHA256("ed25519-sha256", "Ed25519", "ed25519");

        final String tag;
        final String jdkName;
        /** The k= of the DNS record that publishes the public key. */
        public final String dnsKeyType;

        Algorithm(String tag, String jdkName, String dnsKeyType) {
            this.tag = tag;
            this.jdkName = jdkName;
            this.dnsKeyType = dnsKeyType;
        }

        public String tag() { return tag; }
    }

    /**
     * Reads the key in {@code file}. An IOException (no such file, unreadable) is the caller's to report as a
     * missing input; what is read but cannot sign is a {@link DkimKeyException}.
     */
    public static DkimKey read(Path file) throws IOException, DkimKeyException {
        // a device or pipe reports no size and would be read without end
        if (Files.exists(file) && !Files.isRegularFile(file)) throw refused(file, "is not a regular file; name the PEM file that holds the private key");
        if (Files.size(file) > LARGEST_FILE) throw refused(file, "is " + Files.size(file) + " bytes, too large for a PEM private key");
        String text = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
        Matcher pem = PEM.matcher(text);
        if (!pem.find()) {
            throw refused(file, "holds no PEM key (a \"-----BEGIN PRIVATE KEY-----\" block); make one with"
                    + " openssl genpkey -algorithm ed25519 (or RSA with -pkeyopt rsa_keygen_bits:2048)");
        }
        String kind = pem.group(1);
        String body = pem.group(2);
        if (kind.contains("ENCRYPTED") || body.contains("Proc-Type: 4,ENCRYPTED")) {
            throw refused(file, "is encrypted, and mailroom has no one to ask for its passphrase: store it decrypted, readable by the sender"
                    + " alone (openssl pkey -in KEY -out PLAIN)");
        }
        if (kind.contains("PUBLIC") || kind.equals("CERTIFICATE")) {
            throw refused(file, "holds a " + kind.toLowerCase(java.util.Locale.ROOT) + ", not the private key: the public key goes in DNS,"
                    + " dkim.key.file names the private one");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(body.strip());
        } catch (IllegalArgumentException e) {
            throw refused(file, "holds a " + kind + " block that is not valid base64");
        }
        return switch (kind) {
            case "PRIVATE KEY" -> pkcs8(file, der);
            case "RSA PRIVATE KEY" -> rsa(file, rsaOrNull(pkcs8ForRsa(der)));
            default -> throw refused(file, "holds " + (kind.matches("[AEIOU].*") ? "an " : "a ") + kind + "; DKIM signs with RSA (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY) or Ed25519"
                    + " (BEGIN PRIVATE KEY) keys");
        };
    }

    private static DkimKey pkcs8(Path file, byte[] der) throws DkimKeyException {
        PrivateKey rsa = rsaOrNull(der);
        if (rsa != null) return rsa(file, rsa);
        try {
            return new DkimKey(KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der)), Algorithm.ED25519_SHA256);
        } catch (GeneralSecurityException | RuntimeException neither) {
            throw refused(file, "holds a private key that is neither RSA nor Ed25519, the two DKIM signs with (RFC 6376, RFC 8463)");
        }
    }

    private static PrivateKey rsaOrNull(byte[] pkcs8) {
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException | RuntimeException notRsa) {
            return null;
        }
    }

    private static DkimKey rsa(Path file, PrivateKey key) throws DkimKeyException {
        if (key == null) throw refused(file, "holds an RSA private key block that cannot be read");
        int bits = ((RSAPrivateKey) key).getModulus().bitLength();
        if (bits < LEAST_RSA_BITS) {
            throw refused(file, "holds a " + bits + "-bit RSA key; DKIM keys must have at least " + LEAST_RSA_BITS + " bits (receivers ignore"
                    + " or distrust shorter ones): make a new one, e.g. openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048,"
                    + " and publish its public key under the selector");
        }
        return new DkimKey(key, Algorithm.RSA_SHA256);
    }

    /** PKCS#1's RSAPrivateKey wrapped as PKCS#8's PrivateKeyInfo, the form the JDK reads: version 0, rsaEncryption, the key. */
    private static byte[] pkcs8ForRsa(byte[] pkcs1) {
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = der(0x04, pkcs1);
        byte[] inner = new byte[version.length + algorithm.length + octets.length];
        System.arraycopy(version, 0, inner, 0, version.length);
        System.arraycopy(algorithm, 0, inner, version.length, algorithm.length);
        System.arraycopy(octets, 0, inner, version.length + algorithm.length, octets.length);
        return der(0x30, inner);
    }

    /** A DER element: tag, definite length (short or long form), content. */
    private static byte[] der(int tag, byte[] content) {
        byte[] length = content.length < 0x80 ? new byte[] {(byte) content.length} : longLength(content.length);
        byte[] out = new byte[1 + length.length + content.length];
        out[0] = (byte) tag;
        System.arraycopy(length, 0, out, 1, length.length);
        System.arraycopy(content, 0, out, 1 + length.length, content.length);
        return out;
    }

    private static byte[] longLength(int n) {
        byte[] digits = BigInteger.valueOf(n).toByteArray();
        int skip = digits[0] == 0 ? 1 : 0;
        byte[] out = new byte[1 + digits.length - skip];
        out[0] = (byte) (0x80 | (digits.length - skip));
        System.arraycopy(digits, skip, out, 1, digits.length - skip);
        return out;
    }

    private static DkimKeyException refused(Path file, String why) {
        return new DkimKeyException("DKIM key " + file + " " + why);
    }
}
