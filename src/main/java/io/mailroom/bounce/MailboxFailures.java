package io.mailroom.bounce;

import static io.mailroom.bounce.MailboxException.Kind.AUTH_REJECTED;
import static io.mailroom.bounce.MailboxException.Kind.HOST_NOT_FOUND;
import static io.mailroom.bounce.MailboxException.Kind.POLICY;
import static io.mailroom.bounce.MailboxException.Kind.REFUSED;
import static io.mailroom.bounce.MailboxException.Kind.UNREACHABLE;

import io.mailroom.smtp.TrustStore;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Folder;
import jakarta.mail.MessagingException;
import jakarta.mail.Store;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * The words for a bounce mailbox that could not be read: what happened in plain words (never a Java
 * exception's name) and the job-file key that fixes it, as SMTP's session failures say it. Never the password.
 */
final class MailboxFailures {
    private MailboxFailures() { }

    static MailboxException plaintextRefused(Mailbox m) {
        return new MailboxException(POLICY, "refusing to send the password for the bounce mailbox to " + m.address() + " over an unencrypted"
                + " connection: set bounces.security=tls or starttls, or bounces.allow-plaintext-auth=true for a trusted local server", null);
    }

    /** Connecting, the TLS handshake or the login failed. */
    static MailboxException connecting(Mailbox m, String password, MessagingException e) {
        if (e instanceof AuthenticationFailedException) {
            return new MailboxException(AUTH_REJECTED, "login to the bounce mailbox " + m.address() + " as " + m.username() + " refused"
                    + serverSaid(e, password) + "; check bounces.username, and the password bounces.password.env or bounces.password.file names", e);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TrustStore.Refused r) return new MailboxException(REFUSED, "TLS handshake with " + m.address() + " failed: " + r.getMessage(), e);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateException c) {
                return new MailboxException(REFUSED, "TLS handshake with " + m.address() + " failed: the server's certificate could not be verified: "
                        + plain(c), e);
            }
            if (t instanceof UnknownHostException) {
                return new MailboxException(HOST_NOT_FOUND, "host not found: " + m.host() + " (bounces.host in the job file); check the name,"
                        + " and that this machine can resolve names (DNS)", e);
            }
            if (t instanceof ConnectException && String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("refused")) {
                return new MailboxException(UNREACHABLE, "cannot connect to the bounce mailbox " + m.address() + ": connection refused; check"
                        + " bounces.host and bounces.port (nothing accepts connections there), and that the server runs", e);
            }
            if (t instanceof SocketTimeoutException) {
                return new MailboxException(UNREACHABLE, "cannot connect to the bounce mailbox " + m.address() + ": no answer (timed out);"
                        + " check bounces.host and bounces.port, and that no firewall drops the connection", e);
            }
            // the JDK's words when the first bytes are not TLS at all, e.g. a "+OK" greeting in plain text
            if (t instanceof SSLException && m.security() == Mailbox.Security.TLS && String.valueOf(t.getMessage()).contains("nrecognized SSL message")) {
                return new MailboxException(REFUSED, m.address() + " does not speak TLS from the first byte, as bounces.security=tls expects"
                        + " (port " + (m.protocol() == Mailbox.Protocol.POP3 ? 995 : 993) + "); for a server that greets in plain text and offers"
                        + " STARTTLS set bounces.security=starttls", e);
            }
        }
        String said = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (m.security() == Mailbox.Security.STARTTLS && (said.contains("starttls") || said.contains("stls"))) {
            return new MailboxException(REFUSED, m.address() + " does not offer STARTTLS (bounces.security=starttls), so mailroom will not"
                    + " continue unencrypted; set bounces.security=tls if it speaks TLS from the first byte", e);
        }
        return new MailboxException(UNREACHABLE, "cannot open the bounce mailbox " + m.address() + ": " + plain(e) + "; check bounces.host,"
                + " bounces.port and bounces.security", e);
    }

    /** The connection failed after the login, while the folder was read: whatever was removed had been handled. */
    static MailboxException reading(Mailbox m, MessagingException e) {
        return new MailboxException(UNREACHABLE, "reading the bounce mailbox " + m.address() + " failed: " + plain(e) + "; messages not yet"
                + " processed are still there, run again", e);
    }

    /** A folder the job names is not on the server: say which ones are, so the user can pick. */
    static MailboxException noFolder(Mailbox m, Store store, String key, String name) {
        List<String> there = new ArrayList<>();
        try {
            for (Folder f : store.getDefaultFolder().list("*")) there.add(f.getFullName());
        } catch (MessagingException unlisted) {
            // the message goes without the list
        }
        String list = there.isEmpty() ? "" : " (it has " + String.join(", ", there.subList(0, Math.min(there.size(), 20)))
                + (there.size() > 20 ? ", …" : "") + ")";
        String fix = key.equals("bounces.move-to") ? "; create it, or name an existing folder (mailroom does not create folders)"
                : "; name an existing folder";
        return new MailboxException(POLICY, key + ": the bounce mailbox " + m.address() + " has no folder \"" + name + "\"" + list + fix, null);
    }

    /** The server's own explanation, with the password blanked should a server ever echo it. */
    private static String serverSaid(MessagingException e, String password) {
        String said = e.getMessage();
        if (said == null || said.isBlank()) return "";
        if (password != null && !password.isEmpty()) said = said.replace(password, "****");
        return " (server said: " + said.strip() + ")";
    }

    /** An exception's own words, or a plain fallback: never its class name. */
    private static String plain(Throwable e) {
        String msg = e.getMessage();
        for (Throwable t = e.getCause(); (msg == null || msg.isBlank()) && t != null; t = t.getCause()) msg = t.getMessage();
        if (msg == null || msg.isBlank()) return "the connection failed";
        return msg.length() > 1 && Character.isUpperCase(msg.charAt(0)) && Character.isLowerCase(msg.charAt(1))
                ? Character.toLowerCase(msg.charAt(0)) + msg.substring(1) : msg;
    }
}
