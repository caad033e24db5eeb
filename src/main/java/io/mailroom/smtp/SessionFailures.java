package io.mailroom.smtp;

import static io.mailroom.smtp.SmtpSessionException.Kind.HOST_NOT_FOUND;
import static io.mailroom.smtp.SmtpSessionException.Kind.REFUSED;
import static io.mailroom.smtp.SmtpSessionException.Kind.UNREACHABLE;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * The words for a session that could not be opened because of the network, TLS or an OAuth token: what
 * happened in plain words (never a Java exception's name), and the job-file key that fixes it.
 */
final class SessionFailures {
    /** A "key":"value" pair of the flat JSON object an XOAUTH2 or OAUTHBEARER challenge carries (RFC 7628 section 3.2.2). */
    private static final Pattern JSON_VALUE = Pattern.compile("\"([A-Za-z_-]+)\"\\s*:\\s*(?:\"((?:[^\"\\\\]|\\\\.){0,200})\"|(\\d{1,5}))");

    private SessionFailures() { }

    /**
     * A host name that does not resolve stays unresolved for the whole run, so it is not retried; a refused
     * or timed-out connection may be a server restarting, and is.
     */
    static SmtpSessionException connecting(String host, String address, IOException e) {
        if (e instanceof UnknownHostException) {
            return new SmtpSessionException(HOST_NOT_FOUND, "host not found: " + host + " (smtp.host in the job file); check the name,"
                    + " and that this machine can resolve names (DNS)", null, e);
        }
        String what;
        if (e instanceof ConnectException && String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("refused")) {
            what = "connection refused; check smtp.host and smtp.port (nothing accepts connections there), and that the server runs";
        } else if (e instanceof SocketTimeoutException) {
            what = "no answer (timed out); check smtp.host and smtp.port, and that no firewall drops the connection";
        } else {
            what = plain(e) + "; check smtp.host and smtp.port, and this machine's network";
        }
        return new SmtpSessionException(UNREACHABLE, "cannot connect to " + address + ": " + what, null, e);
    }

    /**
     * A certificate that fails verification will fail the same way on the next try, and so will a server
     * that speaks plain text where TLS was expected: both refuse the session at once. Any other handshake
     * failure may be the network's and is worth another try.
     */
    static SmtpSessionException handshake(String address, Security security, SSLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TrustStore.Refused r) return new SmtpSessionException(REFUSED, "TLS handshake with " + address + " failed: " + r.getMessage(), null, e);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateException c) {
                return new SmtpSessionException(REFUSED, "TLS handshake with " + address + " failed: the server's certificate could not be verified: "
                        + plain(c), null, e);
            }
        }
        // the JDK's words when the first bytes are not TLS at all, e.g. a "220" greeting in plain text
        if (security == Security.TLS && String.valueOf(e.getMessage()).contains("unrecognized SSL message")) {
            return new SmtpSessionException(REFUSED, address + " does not speak TLS from the first byte, as smtp.security=tls expects (port 465);"
                    + " for a server that greets in plain text and offers STARTTLS (port 587) set smtp.security=starttls", null, e);
        }
        return new SmtpSessionException(UNREACHABLE, "TLS handshake with " + address + " failed: " + plain(e), null, e);
    }

    /**
     * What the server's XOAUTH2 or OAUTHBEARER challenge says: base64 of a JSON object such as
     * {"status":"401","schemes":"Bearer","scope":"https://mail.google.com/"}. Never holds the token: the
     * challenge is the server's.
     */
    static String oauthError(SmtpReply challenge) {
        String json;
        try {
            json = new String(Base64.getMimeDecoder().decode(challenge.text().trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            return "token rejected (the server's explanation is not base64)";
        }
        List<String> parts = new ArrayList<>();
        for (String key : List.of("status", "scope")) {
            Matcher m = JSON_VALUE.matcher(json);
            while (m.find()) {
                if (m.group(1).equals(key)) {
                    // a string's escapes (JSON may write "https:\/\/…") are dropped, keeping the character escaped
                    parts.add(key + " " + (m.group(2) != null ? m.group(2).replaceAll("\\\\(.)", "$1") : m.group(3)));
                    break;
                }
            }
        }
        if (parts.isEmpty()) return "token rejected (the server gave no status)";
        // 401 is Google's and Microsoft's word for it, invalid_token RFC 6750's (Dovecot's)
        String hint = parts.get(0).equals("status 401") || parts.get(0).equals("status invalid_token") ? "; the token is invalid or has expired (access tokens last about an hour):"
                + " name a command that prints a fresh one with smtp.password.command (run for every session), or put a fresh one where"
                + " smtp.password.env or smtp.password.file points" : "";
        return "token rejected: " + String.join(", ", parts) + hint;
    }

    /** What to configure for a server that takes OAuth 2 access tokens and no password. */
    static final String USE_A_TOKEN = ": set smtp.auth=xoauth2 (or oauthbearer) and smtp.password.command to a command that prints a fresh"
            + " OAuth 2 access token";

    /**
     * The words for a refused password when the reply is one of the providers' known ways of saying that this
     * account takes no password over SMTP at all (so a correct one would fail too), else null: Microsoft 365's
     * 5.7.139 (basic authentication, or SMTP AUTH, turned off for the tenant or mailbox), Gmail's 534 5.7.9 (an
     * app password is required) and its "Username and Password not accepted" (also said for a wrong password).
     */
    static String passwordsTurnedOff(SmtpReply reply) {
        String text = reply.text().toLowerCase(java.util.Locale.ROOT);
        if ("5.7.139".equals(reply.enhanced()) || text.contains("basic authentication is disabled") || text.contains("smtpclientauthentication is disabled")) {
            return "the server has password (basic) authentication turned off for this account" + USE_A_TOKEN
                    + " (Microsoft 365: a token for https://outlook.office.com/SMTP.Send), or have an administrator enable authenticated SMTP"
                    + " for the mailbox";
        }
        if ("5.7.9".equals(reply.enhanced()) || text.contains("application-specific password required")) {
            return "the account takes no normal password over SMTP: put an app password where smtp.password.env or smtp.password.file"
                    + " points (Google: myaccount.google.com/apppasswords), or" + USE_A_TOKEN.substring(1);
        }
        if (text.contains("username and password not accepted")) {
            return "the username or password is wrong, or the account takes no normal password over SMTP: check smtp.username and the"
                    + " password, use an app password (Google: myaccount.google.com/apppasswords), or" + USE_A_TOKEN.substring(1);
        }
        return null;
    }

    /** An I/O failure's own words, or a plain fallback: never the exception's class name. */
    static String plain(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) return "the connection failed";
        // "Connection reset" reads on mid-sentence as "connection reset"; "PKIX ..." stays as it is
        boolean capitalized = m.length() > 1 && Character.isUpperCase(m.charAt(0)) && Character.isLowerCase(m.charAt(1));
        return capitalized ? Character.toLowerCase(m.charAt(0)) + m.substring(1) : m;
    }
}
