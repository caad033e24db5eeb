package io.mailroom.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A self-signed certificate for localhost and 127.0.0.1, made with the JDK's keytool: a PKCS12 key store
 * for the server and the certificate as PEM for the job's smtp.trust.
 */
public record TestCertificate(Path keyStore, String password, Path pem) {

    public static TestCertificate create(Path dir, String hostName) throws IOException, InterruptedException {
        Path ks = dir.resolve(hostName + ".p12");
        Path pem = dir.resolve(hostName + ".pem");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(List.of(keytool, "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=" + hostName, "-ext", "san=dns:" + hostName + ",ip:127.0.0.1",
                "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", "changeit", "-keypass", "changeit"));
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
