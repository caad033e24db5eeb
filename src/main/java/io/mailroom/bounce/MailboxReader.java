package io.mailroom.bounce;

import io.mailroom.bounce.MailboxException.Kind;
import io.mailroom.smtp.TrustStore;
import jakarta.mail.FetchProfile;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.UIDFolder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.security.GeneralSecurityException;
import java.util.Properties;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.eclipse.angus.mail.pop3.POP3Folder;

/**
 * Reads a bounce mailbox over POP3 or IMAP (Angus Mail's providers), oldest message first, handing each to a
 * handler that says what became of it. A message is removed only after its handler returned REMOVE, which it
 * does once what the message changed is committed; so a crash at any point loses nothing, and reading a
 * message twice is the handler's to make harmless. POP3 removes with DELE, which the server applies at QUIT
 * (a connection lost before QUIT removes nothing); IMAP moves the message to {@code moveTo} (MOVE, else COPY
 * and \Deleted) or, without one, marks it \Deleted, and expunges it at once. With {@code keep} nothing is
 * removed, and IMAP opens the folder read-only (not even \Seen changes).
 * TLS always verifies the chain (the system's CAs, or bounces.trust) and the host name; the password goes
 * over an unencrypted connection only with bounces.allow-plaintext-auth=true, else nothing connects.
 * Failures are {@link MailboxException}s in words a user can act on (see {@link MailboxFailures}). A handler
 * that throws stops the reading: that message and the ones after it stay, the ones before are removed as their
 * handler said; an unchecked exception propagates as it is, a checked one as the cause of a HANDLER failure.
 */
public final class MailboxReader {
    /** What became of one message: REMOVE (POP3 DELE; IMAP move to moveTo, else \Deleted + expunge) or KEEP. */
    public enum After { REMOVE, KEEP }

    /** Handles one message: its UID (POP3 UIDL; IMAP UID, unique within the folder's UIDVALIDITY) and its bytes as stored. */
    public interface Handler { After handle(String uid, byte[] raw) throws Exception; }

    private MailboxReader() { }

    /** Reads every message of the folder, oldest first, handing each to {@code handler}; returns how many were read. */
    public static int each(Mailbox m, boolean keep, Handler handler) throws MailboxException {
        if (m.security() == Mailbox.Security.NONE && !m.allowPlaintextAuth()) throw MailboxFailures.plaintextRefused(m);
        Store store;
        try {
            store = Session.getInstance(properties(m)).getStore(m.protocol() == Mailbox.Protocol.POP3 ? "pop3" : "imap");
        } catch (MessagingException e) {
            throw new IllegalStateException("Angus Mail's " + m.protocol() + " provider is missing from the classpath", e);
        }
        String password = m.password().get();
        try {
            store.connect(m.host(), m.port(), m.username(), password);
        } catch (MessagingException e) {
            throw MailboxFailures.connecting(m, password, e);
        }
        try {
            return m.protocol() == Mailbox.Protocol.POP3 ? pop3(store, m, keep, handler) : imap((IMAPStore) store, m, keep, handler);
        } finally {
            try {
                store.close();
            } catch (MessagingException ignored) {
                // the messages are handled and their removals sent; a failed LOGOUT changes nothing
            }
        }
    }

    private static int pop3(Store store, Mailbox m, boolean keep, Handler handler) throws MailboxException {
        Reading r = new Reading(handler);
        try {
            POP3Folder inbox = (POP3Folder) store.getFolder("INBOX");
            inbox.open(keep ? Folder.READ_ONLY : Folder.READ_WRITE);
            try {
                Message[] messages = withUids(inbox);
                for (Message msg : messages) {
                    if (r.handle(inbox.getUID(msg), msg) == After.REMOVE && !keep) msg.setFlag(Flags.Flag.DELETED, true);
                    if (r.stopped()) break;
                }
            } finally {
                // DELE for each removed message, applied by the server at QUIT: also when a handler failed, for those before it
                inbox.close(!keep);
            }
        } catch (MessagingException e) {
            throw MailboxFailures.reading(m, e);
        }
        return r.finish();
    }

    private static int imap(IMAPStore store, Mailbox m, boolean keep, Handler handler) throws MailboxException {
        Reading r = new Reading(handler);
        try {
            IMAPFolder folder = (IMAPFolder) store.getFolder(m.folder());
            if (!folder.exists()) throw MailboxFailures.noFolder(m, store, "bounces.folder", m.folder());
            IMAPFolder target = m.moveTo() == null ? null : (IMAPFolder) store.getFolder(m.moveTo());
            if (target != null && !target.exists()) throw MailboxFailures.noFolder(m, store, "bounces.move-to", m.moveTo());
            folder.open(keep ? Folder.READ_ONLY : Folder.READ_WRITE);
            try {
                for (Message msg : withUids(folder)) {
                    if (r.handle(String.valueOf(folder.getUID(msg)), msg) == After.REMOVE && !keep) remove(store, folder, msg, target);
                    if (r.stopped()) break;
                }
            } finally {
                folder.close(false);
            }
        } catch (MessagingException e) {
            throw MailboxFailures.reading(m, e);
        }
        return r.finish();
    }

    /** Moves {@code msg} to {@code target}, or deletes it when there is none; expunges only this message where the server can (UIDPLUS). */
    private static void remove(IMAPStore store, IMAPFolder folder, Message msg, IMAPFolder target) throws MessagingException {
        Message[] one = {msg};
        if (target != null && store.hasCapability("MOVE")) {
            folder.moveMessages(one, target);
            return;
        }
        if (target != null) folder.copyMessages(one, target);
        msg.setFlag(Flags.Flag.DELETED, true);
        if (store.hasCapability("UIDPLUS")) folder.expunge(one);
        else folder.expunge();
    }

    private static Message[] withUids(Folder folder) throws MessagingException {
        Message[] messages = folder.getMessages();
        FetchProfile uids = new FetchProfile();
        uids.add(UIDFolder.FetchProfileItem.UID);
        folder.fetch(messages, uids);
        return messages;
    }

    /** The handler's calls: counts them, and keeps what stopped them until the mailbox is closed. */
    private static final class Reading {
        private final Handler handler;
        private int read;
        private Exception failed;

        Reading(Handler handler) {
            this.handler = handler;
        }

        After handle(String uid, Message msg) throws MessagingException {
            ByteArrayOutputStream raw = new ByteArrayOutputStream(16 * 1024);
            try {
                msg.writeTo(raw);
            } catch (IOException e) {
                throw new MessagingException("reading message " + uid + " failed: " + e.getMessage(), e);
            }
            read++;
            try {
                return handler.handle(uid, raw.toByteArray());
            } catch (Exception e) {
                failed = e;
                return After.KEEP;
            }
        }

        boolean stopped() { return failed != null; }

        int finish() throws MailboxException {
            if (failed instanceof RuntimeException e) throw e;
            if (failed != null) throw new MailboxException(Kind.HANDLER, failed.getMessage(), failed);
            return read;
        }
    }

    private static Properties properties(Mailbox m) throws MailboxException {
        String p = m.protocol() == Mailbox.Protocol.POP3 ? "mail.pop3" : "mail.imap";
        Properties props = new Properties();
        String millis = String.valueOf(Math.max(1, Math.min(Integer.MAX_VALUE, m.timeout().toMillis())));
        props.setProperty(p + ".connectiontimeout", millis);
        props.setProperty(p + ".timeout", millis);
        props.setProperty(p + ".ssl.enable", String.valueOf(m.security() == Mailbox.Security.TLS));
        props.setProperty(p + ".starttls.enable", String.valueOf(m.security() == Mailbox.Security.STARTTLS));
        props.setProperty(p + ".starttls.required", String.valueOf(m.security() == Mailbox.Security.STARTTLS));
        // Angus Mail then sets HTTPS endpoint identification on the socket, so the trust manager checks the host name too
        props.setProperty(p + ".ssl.checkserveridentity", "true");
        if (m.security() != Mailbox.Security.NONE) props.put(p + ".ssl.socketFactory", tls(m).getSocketFactory());
        // else a refused handshake is tried again with the JDK's own factory, whose words say neither why nor what to do
        props.setProperty(p + ".socketFactory.fallback", "false");
        // BODY.PEEK[]: reading a message leaves its \Seen flag as it was
        props.setProperty("mail.imap.peek", "true");
        return props;
    }

    private static javax.net.ssl.SSLContext tls(Mailbox m) throws MailboxException {
        try {
            return TrustStore.context(m.trust(), "bounces");
        } catch (NoSuchFileException e) {
            throw new MailboxException(Kind.POLICY, "bounces.trust names " + m.trust() + ", which does not exist", e);
        } catch (AccessDeniedException e) {
            throw new MailboxException(Kind.POLICY, "bounces.trust names " + m.trust() + ", which mailroom may not read", e);
        } catch (IOException | GeneralSecurityException e) {
            throw new MailboxException(Kind.POLICY, "cannot load the certificates bounces.trust names: " + e.getMessage(), e);
        }
    }
}
