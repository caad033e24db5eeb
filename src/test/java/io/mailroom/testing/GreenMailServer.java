package io.mailroom.testing;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An in-process GreenMail with AUTH required: plain SMTP and implicit-TLS SMTPS on loopback ports,
 * serving a generated certificate for localhost that jobs trust through smtp.trust.
 */
public final class GreenMailServer implements AutoCloseable {
    public static final String USER = "team@example.com";
    public static final String PASSWORD = "s3cret-PASS-7f3a9";

    /** One certificate per test JVM: GreenMail loads its key store once and keeps it. */
    private static TestCertificate shared;

    private final GreenMail greenMail;
    private final TestCertificate certificate;

    public GreenMailServer() throws Exception {
        certificate = sharedCertificate();
        ServerSetup smtp = new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort();
        ServerSetup smtps = new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS).dynamicPort();
        // GreenMail gives a server 2 s to start by default, which a busy 2-core machine has missed
        smtp.setServerStartupTimeout(30_000);
        smtps.setServerStartupTimeout(30_000);
        greenMail = new GreenMail(new ServerSetup[] {smtp, smtps});
        greenMail.withConfiguration(GreenMailConfiguration.aConfig().withUser(USER, USER, PASSWORD));
        io.mailroom.sandbox.SandboxServer.startQuietly(greenMail);
        greenMail.getUserManager().setAuthRequired(true);
    }

    private static synchronized TestCertificate sharedCertificate() throws Exception {
        if (shared == null) {
            Path dir = Files.createTempDirectory("mailroom-certs");
            dir.toFile().deleteOnExit();
            shared = TestCertificate.create(dir, "localhost");
            shared.installForGreenMail();
        }
        return shared;
    }

    public int smtpPort() { return greenMail.getSmtp().getPort(); }

    public int smtpsPort() { return greenMail.getSmtps().getPort(); }

    public Path trustedPem() { return certificate.pem(); }

    /** The certificate GreenMail serves; other test servers may serve it too. */
    public TestCertificate certificate() { return certificate; }

    /** One entry per recipient mailbox (a message to To and Cc appears twice). */
    public List<MimeMessage> received() { return List.of(greenMail.getReceivedMessages()); }

    public void purge() throws Exception { greenMail.purgeEmailFromAllMailboxes(); }

    @Override
    public void close() { greenMail.stop(); }
}
