package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.JobDir;
import io.mailroom.testing.ScriptedSmtpServer;
import io.mailroom.testing.TestCertificate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A server whose certificate is trusted (smtp.trust) but issued for another name is refused like an
 * unreachable one: the chain alone proves nothing about who answered. The scripted server stands in for
 * the TLS relay because GreenMail serves one certificate per JVM, the shared one for localhost.
 */
class CertificateNameMismatchTest {
    private static final String USER = "team@example.com";
    private static final String PASSWORD = "n0t-For-Other-Hosts-5b1e";

    @TempDir
    static Path certs;
    static TestCertificate other;

    @TempDir
    Path dir;

    @BeforeAll
    static void certificateForAnotherName() throws Exception {
        other = TestCertificate.issuedTo(certs, "other.example");
    }

    @ParameterizedTest(name = "{0} to {1}")
    @CsvSource({"tls, localhost", "tls, 127.0.0.1", "starttls, localhost", "starttls, 127.0.0.1"})
    void certificateForAnotherNameExits69NamingTheMismatchBeforeAnythingIsSent(String security, String host) throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            if (security.equals("tls")) server.implicitTls(other);
            else server.startTls(other, false);
            Path job = new JobDir(dir.resolve("job")).numberedRecipients(2).smtp(host, server.port(), security)
                    .set("smtp.trust", other.pem().toString())
                    .set("smtp.username", USER).set("smtp.password.env", "MAILROOM_SMTP_PASSWORD").write();
            String db = "jdbc:h2:" + dir.resolve("db").toAbsolutePath();

            Cli.Result run = Cli.run(Map.of("MAILROOM_SMTP_PASSWORD", PASSWORD), Cli.withDb(db, "run", job.toString(), "--verbose"));

            assertEquals(69, run.exit(), run.all());
            assertTrue(run.err().contains("TLS handshake with " + host + ":" + server.port()) && run.err().contains("not for this host: it names other.example"),
                    run.err());
            assertEquals(List.of(), server.received());
            assertEquals(1, server.connections(), "a certificate that fails verification fails the same way again: one try");
            List<String> verbs = server.clientLines().stream().map(l -> l.split(" ")[0]).distinct().toList();
            assertEquals(security.equals("tls") ? List.of() : List.of("EHLO", "STARTTLS"), verbs, "nothing after the handshake, AUTH least of all");
            String token = Base64.getEncoder().encodeToString(("\0" + USER + "\0" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            assertFalse(run.all().contains(PASSWORD) || run.all().contains(token), run.all());
            assertTrue(Cli.run(Cli.withDb(db, "status", "test-job")).out().contains("pending 2"));
        }
    }
}
