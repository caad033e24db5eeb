package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.JobDir;
import io.mailroom.testing.ScriptedSmtpServer;
import io.mailroom.testing.TestCertificate;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * When the SMTP server can't be used, the one line a user reads says what happened in plain words, names
 * the job-file key that fixes it, and never shows a Java exception's name, the password or the token.
 */
class ConnectionMessagesTest {
    private static final String PASSWORD = "pa55-Never-Shown-91c";
    private static final Map<String, String> ENV = Map.of("MAILROOM_SMTP_PASSWORD", PASSWORD);

    @TempDir
    static Path certs;
    static TestCertificate untrusted;

    @TempDir
    Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        untrusted = TestCertificate.create(certs, "localhost");
    }

    private JobDir job(int port, String security) throws Exception {
        return new JobDir(dir.resolve("job")).numberedRecipients(2).smtp("localhost", port, security).set("smtp.timeout", "20s");
    }

    private JobDir withPassword(JobDir job) {
        return job.set("smtp.username", "team@example.com").set("smtp.password.env", "MAILROOM_SMTP_PASSWORD");
    }

    private Cli.Result run(JobDir job) throws Exception {
        return Cli.run(ENV, Cli.withDb("jdbc:h2:" + dir.resolve("db").toAbsolutePath(), "run", job.write().toString()));
    }

    /** Nothing a user reads names a Java class, and the password stays out of it. */
    private static void plainWords(Cli.Result r) {
        assertFalse(r.all().matches("(?s).*(Exception|java\\.|javax\\.|sun\\.|PKIX).*"), r.all());
        assertFalse(r.all().contains(PASSWORD), r.all());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tls", "starttls"})
    void certificateNoOneTrustsExits69NamingTheHostTheCertificateAndSmtpTrust(String security) throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            if (security.equals("tls")) server.implicitTls(untrusted);
            else server.startTls(untrusted, false);

            Cli.Result r = run(withPassword(job(server.port(), security)));

            assertEquals(69, r.exit(), r.all());
            assertTrue(r.err().contains("TLS handshake with localhost:" + server.port() + " failed: the server's certificate is not trusted:"
                    + " it is for CN=localhost, issued by CN=localhost (self-signed)"), r.err());
            assertTrue(r.err().contains("name it in smtp.trust"), r.err());
            plainWords(r);
            assertEquals(1, server.connections(), "a certificate no one trusts is not trusted on the next try either");
        }
    }

    @Test
    void certificateThatSmtpTrustNamesButHasExpiredSaysSoAndExits69() throws Exception {
        TestCertificate expired = TestCertificate.validFrom(certs, "localhost", "-10d");
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().implicitTls(expired)) {
            Cli.Result r = run(withPassword(job(server.port(), "tls").set("smtp.trust", expired.pem().toString())));

            assertEquals(69, r.exit(), r.all());
            assertTrue(r.err().matches("(?s).*TLS handshake with localhost:" + server.port() + " failed: the server's certificate"
                    + " \\(CN=localhost\\) expired on \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC.*"), r.err());
            plainWords(r);
        }
    }

    @Test
    void certificateNotValidYetSaysSoAndExits69() throws Exception {
        TestCertificate early = TestCertificate.validFrom(certs, "localhost", "+10d");
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().implicitTls(early)) {
            Cli.Result r = run(withPassword(job(server.port(), "tls").set("smtp.trust", early.pem().toString())));

            assertEquals(69, r.exit(), r.all());
            assertTrue(r.err().matches("(?s).*the server's certificate \\(CN=localhost\\) is not valid until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC.*"),
                    r.err());
            plainWords(r);
        }
    }

    @ParameterizedTest(name = "allow-plaintext-auth={0}")
    @ValueSource(booleans = {true, false})
    void serverOfferingAuthOnlyAfterStarttlsToAJobWithSecurityNoneSaysToUseStarttlsAndExits78(boolean allowPlaintext) throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().startTls(untrusted, false).authOnlyOverTls()) {
            Cli.Result r = run(withPassword(job(server.port(), "none")).set("smtp.allow-plaintext-auth", String.valueOf(allowPlaintext)));

            assertEquals(78, r.exit(), r.all());
            // checked before whether plaintext AUTH is allowed: both say so, and neither sends the password
            assertTrue(r.err().contains("localhost:" + server.port() + " offers AUTH only over TLS"), r.err());
            assertTrue(r.err().contains("set smtp.security=starttls"), r.err());
            assertFalse(server.clientLines().stream().anyMatch(l -> l.startsWith("AUTH")), "no password sent in the clear");
            plainWords(r);
        }
    }

    @Test
    void encryptionRequiredReplyToAuthIsNotRejectedCredentialsButSaysToUseStarttlsAndExits78() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().authReplies("538 5.7.11 Encryption required for requested authentication mechanism")) {
            Cli.Result r = run(withPassword(job(server.port(), "none")).set("smtp.allow-plaintext-auth", "true"));

            assertEquals(78, r.exit(), r.all());
            assertTrue(r.err().contains("localhost:" + server.port() + " requires encryption for AUTH: set smtp.security=starttls"), r.err());
            assertTrue(r.err().contains("538 5.7.11"), "the server's words are kept: " + r.err());
            assertFalse(r.err().contains("rejected the credentials"), r.err());
            plainWords(r);
        }
    }

    @Test
    void refusedXoauth2TokenIsDecodedIntoTheMessageAfterAnsweringTheChallengeWithAnEmptyLine() throws Exception {
        String error = Base64.getEncoder().encodeToString(
                "{\"status\":\"401\",\"schemes\":\"Bearer\",\"scope\":\"https://mail.google.com/\"}".getBytes(StandardCharsets.UTF_8));
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().authMechanisms("XOAUTH2")
                .authReplies("334 " + error, "535 5.7.8 Username and Password not accepted.")) {
            Cli.Result r = run(withPassword(job(server.port(), "none")).set("smtp.allow-plaintext-auth", "true").set("smtp.auth", "xoauth2"));

            assertEquals(77, r.exit(), r.all());
            assertTrue(r.err().contains("localhost:" + server.port() + " rejected the OAuth 2 access token of team@example.com:"
                    + " token rejected: status 401, scope https://mail.google.com/"), r.err());
            assertTrue(r.err().contains("535 5.7.8"), r.err());
            List<String> lines = server.clientLines();
            assertEquals("", lines.get(lines.indexOf(lines.stream().filter(l -> l.startsWith("AUTH XOAUTH2 ")).findFirst().orElseThrow()) + 1),
                    "the 334 is answered with an empty line (RFC 7628 section 3.2.3): " + lines);
            assertFalse(r.all().contains(error), "nor the server's base64: " + r.all());
            plainWords(r);
        }
    }

    @Test
    void hostNameThatDoesNotResolveSaysHostNotFoundNamingSmtpHostAndGivesUpWithoutWaiting() throws Exception {
        List<Duration> waits = new ArrayList<>();
        JobDir job = job(587, "none").set("smtp.host", "smtp.exmaple.invalid");

        Cli.Result r = Cli.run(ENV, Clock.systemUTC(), waits::add,
                Cli.withDb("jdbc:h2:" + dir.resolve("db").toAbsolutePath(), "run", job.write().toString()));

        assertEquals(69, r.exit(), r.all());
        assertTrue(r.err().contains("host not found: smtp.exmaple.invalid (smtp.host in the job file)"), r.err());
        assertEquals(List.of(), waits, "a name that does not resolve is not retried with backoff");
        plainWords(r);
    }

    @Test
    void portNobodyListensOnSaysConnectionRefusedWithWhatToCheck() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Cli.Result r = Cli.run(ENV, Clock.systemUTC(), d -> { },
                Cli.withDb("jdbc:h2:" + dir.resolve("db").toAbsolutePath(), "run", job(closed, "none").write().toString()));

        assertEquals(69, r.exit(), r.all());
        assertTrue(r.err().contains("cannot connect to localhost:" + closed + ": connection refused; check smtp.host and smtp.port"), r.err());
        plainWords(r);
    }

    @Test
    void plainTextServerOnAnImplicitTlsJobSaysToUseStarttls() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            Cli.Result r = Cli.run(ENV, Clock.systemUTC(), d -> { },
                    Cli.withDb("jdbc:h2:" + dir.resolve("db").toAbsolutePath(), "run", withPassword(job(server.port(), "tls")).write().toString()));

            assertEquals(69, r.exit(), r.all());
            assertTrue(r.err().contains("localhost:" + server.port() + " does not speak TLS from the first byte"), r.err());
            assertTrue(r.err().contains("smtp.security=starttls"), r.err());
            plainWords(r);
        }
    }

    @Test
    void smtpTrustNamingAMissingOrNonPemFileExits78NamingTheKeyAndTheFile() throws Exception {
        Path missing = dir.resolve("relay-ca.pem");
        Cli.Result gone = run(withPassword(job(587, "tls")).set("smtp.trust", missing.toString()));
        assertEquals(78, gone.exit(), gone.all());
        assertTrue(gone.err().contains("smtp.trust names " + missing + ", which does not exist"), gone.err());
        plainWords(gone);

        java.nio.file.Files.writeString(missing, "not a certificate\n");
        Cli.Result notPem = run(withPassword(job(587, "tls")).set("smtp.trust", missing.toString()));
        assertEquals(78, notPem.exit(), notPem.all());
        assertTrue(notPem.err().contains(missing + " is not a PEM certificate file"), notPem.err());
        plainWords(notPem);
    }
}
