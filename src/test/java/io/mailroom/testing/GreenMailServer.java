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
 * serving a generated certificate for localhost that jobs trust through smtp.trust. {@link #withMailboxes()}
 * also serves the user's mailbox over POP3, IMAP and their implicit-TLS forms (the bounce mailbox's tests).
 */
public final class GreenMailServer implements AutoCloseable {
    public static final String USER = "team@example.com";
    public static final String PASSWORD = "s3cret-PASS-7f3a9";

    /** One certificate per test JVM: GreenMail loads its key store once and keeps it. */
    private static TestCertificate shared;

    private final GreenMail greenMail;
    private final TestCertificate certificate;

    public GreenMailServer() throws Exception {
        this(List.of(ServerSetup.PROTOCOL_SMTP, ServerSetup.PROTOCOL_SMTPS));
    }

    private GreenMailServer(List<String> protocols) throws Exception {
        certificate = sharedCertificate();
        ServerSetup[] setups = protocols.stream().map(p -> {
            ServerSetup setup = new ServerSetup(0, "127.0.0.1", p).dynamicPort();
            // GreenMail gives a server 2 s to start by default, which a busy 2-core machine has missed
            setup.setServerStartupTimeout(30_000);
            return setup;
        }).toArray(ServerSetup[]::new);
        greenMail = new GreenMail(setups);
        greenMail.withConfiguration(GreenMailConfiguration.aConfig().withUser(USER, USER, PASSWORD));
        io.mailroom.sandbox.SandboxServer.startQuietly(greenMail);
        greenMail.getUserManager().setAuthRequired(true);
    }

    /** SMTP and SMTPS, and the user's mailbox over POP3, IMAP, POP3S and IMAPS. */
    public static GreenMailServer withMailboxes() throws Exception {
        return new GreenMailServer(List.of(ServerSetup.PROTOCOL_SMTP, ServerSetup.PROTOCOL_SMTPS, ServerSetup.PROTOCOL_POP3,
                ServerSetup.PROTOCOL_IMAP, ServerSetup.PROTOCOL_POP3S, ServerSetup.PROTOCOL_IMAPS));
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

    public int pop3Port() { return greenMail.getPop3().getPort(); }

    public int imapPort() { return greenMail.getImap().getPort(); }

    public int pop3sPort() { return greenMail.getPop3s().getPort(); }

    public int imapsPort() { return greenMail.getImaps().getPort(); }

    /** The server itself, for what a test arranges directly: mailboxes, folders, delivered messages. */
    public GreenMail greenMail() { return greenMail; }

    public Path trustedPem() { return certificate.pem(); }

    /** The certificate GreenMail serves; other test servers may serve it too. */
    public TestCertificate certificate() { return certificate; }

    /** One entry per recipient mailbox (a message to To and Cc appears twice). */
    public List<MimeMessage> received() { return List.of(greenMail.getReceivedMessages()); }

    public void purge() throws Exception { greenMail.purgeEmailFromAllMailboxes(); }

    @Override
    public void close() { greenMail.stop(); }
}
