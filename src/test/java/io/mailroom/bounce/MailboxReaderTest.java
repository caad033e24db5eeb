package io.mailroom.bounce;

import static io.mailroom.bounce.Mailbox.Protocol.IMAP;
import static io.mailroom.bounce.Mailbox.Protocol.POP3;
import static io.mailroom.bounce.MailboxReader.After.KEEP;
import static io.mailroom.bounce.MailboxReader.After.REMOVE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.user.GreenMailUser;
import io.mailroom.testing.GreenMailServer;
import jakarta.mail.Flags;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MailboxReaderTest {
    private static GreenMailServer server;
    private static GreenMailUser user;

    /** What the handler saw, in order: uid and subject. */
    private final List<String> seen = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        server = GreenMailServer.withMailboxes();
        user = server.greenMail().getUserManager().getUser(GreenMailServer.USER);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void threeBouncesInTheInbox() throws Exception {
        server.purge();
        for (int i = 1; i <= 3; i++) {
            String raw = "From: MAILER-DAEMON@example.com\r\nTo: bounces@example.com\r\nSubject: Undelivered Mail " + i + "\r\n"
                    + "Message-ID: <bounce-" + i + "@example.com>\r\n\r\nbounce number " + i + " for ann@example.net\r\n";
            user.deliver(new MimeMessage(null, new ByteArrayInputStream(raw.getBytes(StandardCharsets.US_ASCII))));
        }
    }

    private static Mailbox plain(Mailbox.Protocol protocol) {
        return mailbox(protocol, protocol == POP3 ? server.pop3Port() : server.imapPort(), Mailbox.Security.NONE, true, null, null,
                () -> GreenMailServer.PASSWORD);
    }

    private static Mailbox mailbox(Mailbox.Protocol protocol, int port, Mailbox.Security security, boolean plaintext, Path trust, String moveTo,
                                   Supplier<String> password) {
        return new Mailbox(protocol, security == Mailbox.Security.NONE ? "127.0.0.1" : "localhost", port, security, GreenMailServer.USER,
                password, plaintext, trust, "INBOX", moveTo, Duration.ofSeconds(20));
    }

    /** A handler that notes uid and subject and says what {@code after} maps the subject's number to (KEEP when not named). */
    private MailboxReader.Handler noting(Map<Integer, MailboxReader.After> after) {
        return (uid, raw) -> {
            MimeMessage m = new MimeMessage(null, new ByteArrayInputStream(raw));
            String subject = m.getSubject();
            seen.add(uid + " " + subject);
            assertTrue(new String(raw, StandardCharsets.US_ASCII).contains("\r\n\r\nbounce number " + subject.substring(subject.length() - 1)
                    + " for ann@example.net\r\n"), "the message's bytes as delivered");
            return after.getOrDefault(Integer.parseInt(subject.substring(subject.length() - 1)), KEEP);
        };
    }

    private static List<String> subjectsIn(String folder) throws Exception {
        MailFolder f = server.greenMail().getManagers().getImapHostManager().getFolder(user, folder);
        List<String> subjects = new ArrayList<>();
        for (StoredMessage m : f.getMessages()) subjects.add(m.getMimeMessage().getSubject());
        return subjects;
    }

    private List<String> subjectsSeen() {
        return seen.stream().map(s -> s.substring(s.indexOf(' ') + 1)).toList();
    }

    @ParameterizedTest
    @EnumSource(Mailbox.Protocol.class)
    void everyMessageIsReadOldestFirstWithItsOwnUidAndItsBytesAndKeptWhenTheHandlerSaysKeep(Mailbox.Protocol protocol) throws Exception {
        assertEquals(3, MailboxReader.each(plain(protocol), false, noting(Map.of())));

        assertEquals(List.of("Undelivered Mail 1", "Undelivered Mail 2", "Undelivered Mail 3"), subjectsSeen());
        assertEquals(3, new HashSet<>(seen.stream().map(s -> s.substring(0, s.indexOf(' '))).toList()).size(), "three different uids: " + seen);
        assertEquals(List.of("Undelivered Mail 1", "Undelivered Mail 2", "Undelivered Mail 3"), subjectsIn("INBOX"));
    }

    @ParameterizedTest
    @EnumSource(Mailbox.Protocol.class)
    void onlyTheMessagesTheHandlerSaidRemoveForAreRemoved(Mailbox.Protocol protocol) throws Exception {
        MailboxReader.each(plain(protocol), false, noting(Map.of(1, REMOVE, 3, REMOVE)));

        assertEquals(List.of("Undelivered Mail 2"), subjectsIn("INBOX"));
    }

    @ParameterizedTest
    @EnumSource(Mailbox.Protocol.class)
    void readingAgainGivesTheSameUidsForTheMessagesLeft(Mailbox.Protocol protocol) throws Exception {
        MailboxReader.each(plain(protocol), false, noting(Map.of(1, REMOVE)));
        List<String> first = List.copyOf(seen.subList(1, 3));
        seen.clear();

        MailboxReader.each(plain(protocol), false, noting(Map.of()));

        assertEquals(first, seen);
    }

    @ParameterizedTest
    @EnumSource(Mailbox.Protocol.class)
    void aHandlerThatFailsLeavesItsMessageAndTheRestAndTheOnesBeforeAreRemovedAsTheySaid(Mailbox.Protocol protocol) throws Exception {
        IllegalStateException broken = new IllegalStateException("database gone");
        MailboxReader.Handler handler = (uid, raw) -> {
            if (seen.size() == 1) throw broken;
            seen.add(uid);
            return REMOVE;
        };

        assertSame(broken, assertThrows(IllegalStateException.class, () -> MailboxReader.each(plain(protocol), false, handler)));

        assertEquals(List.of("Undelivered Mail 2", "Undelivered Mail 3"), subjectsIn("INBOX"));
    }

    @Test
    void aCheckedExceptionFromTheHandlerComesBackAsItsCause() throws Exception {
        Exception busy = new Exception("the database is busy");

        MailboxException e = assertThrows(MailboxException.class, () -> MailboxReader.each(plain(POP3), false, (uid, raw) -> { throw busy; }));

        assertEquals(MailboxException.Kind.HANDLER, e.kind());
        assertSame(busy, e.getCause());
        assertEquals(3, subjectsIn("INBOX").size());
    }

    @ParameterizedTest
    @EnumSource(Mailbox.Protocol.class)
    void keepLeavesEveryMessageAsItWasWhateverTheHandlerSays(Mailbox.Protocol protocol) throws Exception {
        assertEquals(3, MailboxReader.each(plain(protocol), true, (uid, raw) -> REMOVE));

        assertEquals(3, subjectsIn("INBOX").size());
        for (StoredMessage m : server.greenMail().getManagers().getImapHostManager().getInbox(user).getMessages()) {
            // POP3 has no flags of its own; a server marks what RETR fetched as seen, GreenMail as Dovecot does
            if (protocol == IMAP) assertFalse(m.getFlags().contains(Flags.Flag.SEEN), "not even marked as seen");
            assertFalse(m.getFlags().contains(Flags.Flag.DELETED));
        }
    }

    @Test
    void imapMovesRemovedMessagesToMoveTo() throws Exception {
        server.greenMail().getManagers().getImapHostManager().createMailbox(user, "Processed");
        Mailbox m = mailbox(IMAP, server.imapPort(), Mailbox.Security.NONE, true, null, "Processed", () -> GreenMailServer.PASSWORD);

        MailboxReader.each(m, false, noting(Map.of(1, REMOVE, 2, REMOVE)));

        assertEquals(List.of("Undelivered Mail 3"), subjectsIn("INBOX"));
        assertEquals(List.of("Undelivered Mail 1", "Undelivered Mail 2"), subjectsIn("Processed"));
    }

    @Test
    void aMoveToFolderThatIsNotThereIsRefusedNamingTheKeyBeforeAnythingIsRead() throws Exception {
        Mailbox m = mailbox(IMAP, server.imapPort(), Mailbox.Security.NONE, true, null, "Done", () -> GreenMailServer.PASSWORD);

        MailboxException e = assertThrows(MailboxException.class, () -> MailboxReader.each(m, false, noting(Map.of(1, REMOVE))));

        assertEquals(MailboxException.Kind.POLICY, e.kind());
        assertTrue(e.getMessage().startsWith("bounces.move-to: the bounce mailbox 127.0.0.1:" + server.imapPort() + " has no folder \"Done\""
                + " (it has INBOX"), e.getMessage());
        assertTrue(e.getMessage().endsWith("; create it, or name an existing folder (mailroom does not create folders)"), e.getMessage());
        assertEquals(List.of(), seen);
        assertEquals(3, subjectsIn("INBOX").size());
    }

    @Test
    void aFolderThatIsNotThereIsRefusedNamingBouncesFolder() {
        Mailbox m = new Mailbox(IMAP, "127.0.0.1", server.imapPort(), Mailbox.Security.NONE, GreenMailServer.USER, () -> GreenMailServer.PASSWORD,
                true, null, "Bounces", null, Duration.ofSeconds(20));

        MailboxException e = assertThrows(MailboxException.class, () -> MailboxReader.each(m, false, noting(Map.of())));

        assertEquals(MailboxException.Kind.POLICY, e.kind());
        assertTrue(e.getMessage().startsWith("bounces.folder: the bounce mailbox 127.0.0.1:" + server.imapPort() + " has no folder \"Bounces\""),
                e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Mailbox.Protocol.class)
    void implicitTlsWithTheServersCertificateInBouncesTrustReads(Mailbox.Protocol protocol) throws Exception {
        Mailbox m = mailbox(protocol, protocol == POP3 ? server.pop3sPort() : server.imapsPort(), Mailbox.Security.TLS, false,
                server.trustedPem(), null, () -> GreenMailServer.PASSWORD);

        assertEquals(3, MailboxReader.each(m, false, noting(Map.of(2, REMOVE))));

        assertEquals(List.of("Undelivered Mail 1", "Undelivered Mail 3"), subjectsIn("INBOX"));
    }

    @ParameterizedTest
    @EnumSource(Mailbox.Protocol.class)
    void aCertificateNoOneVouchesForIsRefusedNamingBouncesTrustAndThePasswordIsNeverSent(Mailbox.Protocol protocol) {
        Mailbox m = mailbox(protocol, protocol == POP3 ? server.pop3sPort() : server.imapsPort(), Mailbox.Security.TLS, false, null, null,
                () -> GreenMailServer.PASSWORD);

        MailboxException e = assertThrows(MailboxException.class, () -> MailboxReader.each(m, false, noting(Map.of())));

        assertEquals(MailboxException.Kind.REFUSED, e.kind());
        assertTrue(e.getMessage().startsWith("TLS handshake with localhost:" + m.port() + " failed: the server's certificate is not trusted:"
                + " it is for CN=localhost, issued by CN=localhost (self-signed); the system's CAs do not vouch for it."), e.getMessage());
        assertTrue(e.getMessage().endsWith("name it in bounces.trust"), e.getMessage());
        assertEquals(List.of(), seen);
    }

    @ParameterizedTest
    @EnumSource(Mailbox.Protocol.class)
    void aWrongPasswordIsALoginRefusedThatNamesTheKeysAndNotThePassword(Mailbox.Protocol protocol) {
        Mailbox m = mailbox(protocol, protocol == POP3 ? server.pop3Port() : server.imapPort(), Mailbox.Security.NONE, true, null, null,
                () -> "wrong-Pa55word");

        MailboxException e = assertThrows(MailboxException.class, () -> MailboxReader.each(m, false, noting(Map.of())));

        assertEquals(MailboxException.Kind.AUTH_REJECTED, e.kind());
        assertTrue(e.getMessage().startsWith("login to the bounce mailbox 127.0.0.1:" + m.port() + " as team@example.com refused"), e.getMessage());
        assertTrue(e.getMessage().endsWith("; check bounces.username, and the password bounces.password.env or bounces.password.file names"),
                e.getMessage());
        assertFalse(e.getMessage().contains("wrong-Pa55word"));
    }

    @Test
    void withoutEncryptionThePasswordIsRefusedBeforeConnectingUnlessAllowed() {
        Mailbox m = mailbox(POP3, server.pop3Port(), Mailbox.Security.NONE, false, null, null, () -> fail("the password was read"));

        MailboxException e = assertThrows(MailboxException.class, () -> MailboxReader.each(m, false, noting(Map.of())));

        assertEquals(MailboxException.Kind.POLICY, e.kind());
        assertEquals("refusing to send the password for the bounce mailbox to 127.0.0.1:" + server.pop3Port() + " over an unencrypted connection:"
                + " set bounces.security=tls or starttls, or bounces.allow-plaintext-auth=true for a trusted local server", e.getMessage());
    }

    @Test
    void aPortNobodyListensOnSaysConnectionRefusedWithWhatToCheck() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Mailbox m = mailbox(IMAP, port, Mailbox.Security.NONE, true, null, null, () -> GreenMailServer.PASSWORD);

        MailboxException e = assertThrows(MailboxException.class, () -> MailboxReader.each(m, false, noting(Map.of())));

        assertEquals(MailboxException.Kind.UNREACHABLE, e.kind());
        assertEquals("cannot connect to the bounce mailbox 127.0.0.1:" + port + ": connection refused; check bounces.host and bounces.port"
                + " (nothing accepts connections there), and that the server runs", e.getMessage());
    }
}
