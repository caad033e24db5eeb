package io.mailroom.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * An independent DKIM verifier: dkimpy (Debian's python3-dkim, with python3-nacl for Ed25519, which .ci/run
 * installs) run on a message's bytes, the public key given from a file instead of DNS. Where it is missing the
 * test is skipped with the reason, except under CI (CI=true), where that is a failure. Also makes the key pairs
 * tests sign with, as PEM files, and the DNS record that publishes each public key.
 */
public final class DkimVerifier {
    private static final String PYTHON = "/usr/bin/python3";
    private static final Path SCRIPT = Path.of("src/test/resources/dkim/verify.py").toAbsolutePath();

    private DkimVerifier() { }

    /** Skips (or, under CI, fails) the calling test unless dkimpy and PyNaCl can be run. */
    public static void requireInstalled() throws Exception {
        String why = null;
        if (!Files.isExecutable(Path.of(PYTHON))) {
            why = PYTHON + " is not installed";
        } else {
            Process p = new ProcessBuilder(PYTHON, "-c", "import dkim, nacl").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) why = "dkimpy or PyNaCl missing (apt-get install python3-dkim python3-nacl): " + out.strip();
        }
        if (why == null) return;
        if ("true".equals(System.getenv("CI"))) throw new IllegalStateException("CI must run the DKIM verification tests: " + why);
        Assumptions.abort("DKIM verification tests skipped: " + why);
    }

    /** dkimpy's verdict on {@code message}: "pass", or "fail: why". */
    public static String verify(byte[] message, String record, String selector, String domain, Path dir) throws Exception {
        Path eml = Files.createTempFile(dir, "signed", ".eml");
        Path txt = Files.createTempFile(dir, "record", ".txt");
        Files.write(eml, message);
        Files.writeString(txt, record);
        Process p = new ProcessBuilder(PYTHON, SCRIPT.toString(), eml.toString(), txt.toString(), selector + "._domainkey." + domain)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(60, TimeUnit.SECONDS)) throw new IllegalStateException("dkimpy did not finish");
        return out;
    }

    /** A key pair of the test's: the private key as a PEM file, and the TXT record publishing the public key. */
    public record Key(Path pem, String record) { }

    /** A fresh RSA key of {@code bits}, written as PKCS#8 ("BEGIN PRIVATE KEY") or PKCS#1 ("BEGIN RSA PRIVATE KEY"). */
    public static Key rsa(Path file, int bits, boolean pkcs1) throws IOException, NoSuchAlgorithmException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(bits);
        KeyPair pair = g.generateKeyPair();
        byte[] pkcs8 = pair.getPrivate().getEncoded();
        // PKCS#8 of an RSA key: SEQUENCE { version, rsaEncryption, OCTET STRING { PKCS#1 } }; the JDK writes a 26-octet prefix
        byte[] der = pkcs1 ? Arrays.copyOfRange(pkcs8, 26, pkcs8.length) : pkcs8;
        if (pkcs1 && (pkcs8[22] != 0x04 || der[0] != 0x30)) throw new IllegalStateException("unexpected PKCS#8 layout");
        Files.writeString(file, pem(pkcs1 ? "RSA PRIVATE KEY" : "PRIVATE KEY", der));
        return new Key(file, "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()));
    }

    /** A fresh Ed25519 key (PKCS#8); its record holds the raw 32-octet public key (RFC 8463 §4). */
    public static Key ed25519(Path file) throws IOException, NoSuchAlgorithmException {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] spki = pair.getPublic().getEncoded();
        Files.writeString(file, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        return new Key(file, "v=DKIM1; k=ed25519; p=" + Base64.getEncoder().encodeToString(Arrays.copyOfRange(spki, spki.length - 32, spki.length)));
    }

    /** {@code der} as a PEM block of {@code label}. */
    public static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + label + "-----\n";
    }
}
