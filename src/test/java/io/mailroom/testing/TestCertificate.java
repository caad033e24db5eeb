package io.mailroom.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A self-signed certificate made with the JDK's keytool (for a host name and 127.0.0.1, or for another
 * name only): a PKCS12 key store for the server and the certificate as PEM for the job's smtp.trust.
 */
public record TestCertificate(Path keyStore, String password, Path pem) {

    /** For {@code hostName} and 127.0.0.1. */
    public static TestCertificate create(Path dir, String hostName) throws IOException, InterruptedException {
        return generate(dir, hostName, "dns:" + hostName + ",ip:127.0.0.1");
    }

    /** For {@code name} alone (CN and the only SAN): trusted through smtp.trust, it still fits no other host. */
    public static TestCertificate issuedTo(Path dir, String name) throws IOException, InterruptedException {
        return generate(dir, name, "dns:" + name);
    }

    /**
     * For {@code hostName} and 127.0.0.1, valid for two days from {@code start} (keytool's form: "-10d" has
     * expired, "+10d" is not valid yet).
     */
    public static TestCertificate validFrom(Path dir, String hostName, String start) throws IOException, InterruptedException {
        return generate(dir, hostName, "dns:" + hostName + ",ip:127.0.0.1", start);
    }

    private static TestCertificate generate(Path dir, String hostName, String san) throws IOException, InterruptedException {
        return generate(dir, hostName, san, null);
    }

    private static TestCertificate generate(Path dir, String hostName, String san, String start) throws IOException, InterruptedException {
        String file = hostName + (start == null ? "" : start.replace('+', 'p').replace('-', 'm'));
        Path ks = dir.resolve(file + ".p12");
        Path pem = dir.resolve(file + ".pem");
        List<String> validity = start == null ? List.of("-validity", "2") : List.of("-validity", "2", "-startdate", start);
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        List<String> command = new java.util.ArrayList<>(List.of(keytool, "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048",
                "-dname", "CN=" + hostName, "-ext", "san=" + san,
                "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", "changeit", "-keypass", "changeit"));
        command.addAll(validity);
        run(command);
        run(List.of(keytool, "-exportcert", "-rfc", "-alias", "server", "-keystore", ks.toString(), "-storepass", "changeit",
                "-file", pem.toString()));
        return new TestCertificate(ks, "changeit", pem);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException("keytool failed: " + output);
    }

    /** Makes GreenMail serve this certificate on its TLS ports (read when a GreenMail server starts). */
    public void installForGreenMail() {
        System.setProperty("greenmail.tls.keystore.file", keyStore.toString());
        System.setProperty("greenmail.tls.keystore.password", password);
        System.setProperty("greenmail.tls.key.password", password);
    }
}
