package io.mailroom.smtp;

import static io.mailroom.smtp.SmtpSessionException.Kind.AUTH_REJECTED;
import static io.mailroom.smtp.SmtpSessionException.Kind.POLICY;
import static io.mailroom.smtp.SmtpSessionException.Kind.REFUSED;
import static io.mailroom.smtp.SmtpSessionException.Kind.UNREACHABLE;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * Opens sessions: connect → greeting → EHLO (HELO if refused) → [STARTTLS → EHLO] → [AUTH] → ready.
 * Refuses to continue without TLS when the job asked for it (no silent downgrade), and refuses AUTH over
 * an unencrypted connection unless the job allows it. Every failure is an {@link SmtpSessionException}
 * naming what went wrong; no password ever appears in it or in the transcript.
 */
public final class SmtpClient {
    private final SmtpSettings settings;

    public SmtpClient(SmtpSettings settings) {
        this.settings = settings;
    }

    public SmtpSettings settings() { return settings; }

    public SmtpSession open(String connectionId, Transcript transcript) throws SmtpSessionException {
        // read now, not mid-dialogue: a password that cannot be read ends the run before any connection
        String secret = settings.credentials() == null ? null : settings.credentials().forSession();
        SSLContext tlsContext = tlsContext();
        Connection c;
        try {
            c = Connection.open(settings.host(), settings.port(), new Timeouts(settings.timeout()), transcript,
                    settings.security() == Security.TLS ? tlsContext : null);
        } catch (SSLException e) {
            throw SessionFailures.handshake(address(), settings.security(), e);
        } catch (IOException e) {
            throw SessionFailures.connecting(settings.host(), address(), e);
        }
        try {
            Extensions ext = greetAndHello(c);
            if (settings.security() == Security.STARTTLS) ext = startTls(c, tlsContext, ext);
            if (secret != null) authenticate(c, ext, secret);
            return ext.has("PIPELINING") ? new PipelinedSession(connectionId, c, ext) : new LockStepSession(connectionId, c, ext);
        } catch (SmtpSessionException e) {
            quietQuit(c);
            throw e;
        } catch (SSLException e) {
            c.close();
            throw SessionFailures.handshake(address(), settings.security(), e);
        } catch (IOException e) {
            c.close();
            throw new SmtpSessionException(UNREACHABLE, "connection to " + address() + " failed while opening the session: "
                    + SessionFailures.plain(e), null, e);
        }
    }

    private SSLContext tlsContext() throws SmtpSessionException {
        if (settings.security() == Security.NONE) return null;
        try {
            return TrustStore.context(settings.trust());
        } catch (NoSuchFileException e) {
            throw new SmtpSessionException(POLICY, "smtp.trust names " + settings.trust() + ", which does not exist", null, e);
        } catch (AccessDeniedException e) {
            throw new SmtpSessionException(POLICY, "smtp.trust names " + settings.trust() + ", which mailroom may not read", null, e);
        } catch (IOException | GeneralSecurityException e) {
            throw new SmtpSessionException(POLICY, "cannot load the certificates smtp.trust names: " + SessionFailures.plain(e), null, e);
        }
    }

    private Extensions greetAndHello(Connection c) throws IOException, SmtpSessionException {
        SmtpReply greeting = c.read(Step.GREETING);
        if (greeting.code() != 220) throw new SmtpSessionException(REFUSED, address() + " refused the session", greeting, null);
        return hello(c);
    }

    private Extensions hello(Connection c) throws IOException, SmtpSessionException {
        String name = heloName(c);
        SmtpReply ehlo = c.command(Step.EHLO, "EHLO " + name);
        if (ehlo.isPositive()) return Extensions.parse(ehlo);
        if (ehlo.isClosing()) throw new SmtpSessionException(REFUSED, address() + " refused EHLO", ehlo, null);
        SmtpReply helo = c.command(Step.HELO, "HELO " + name);
        if (!helo.isPositive()) throw new SmtpSessionException(REFUSED, address() + " refused EHLO and HELO", helo, null);
        return Extensions.NONE;
    }

    private Extensions startTls(Connection c, SSLContext context, Extensions ext) throws IOException, SmtpSessionException {
        if (!ext.has("STARTTLS")) {
            throw new SmtpSessionException(REFUSED, address() + " does not offer STARTTLS; the job requires it"
                    + " (smtp.security=starttls), so mailroom will not continue unencrypted", null, null);
        }
        SmtpReply reply = c.command(Step.STARTTLS, "STARTTLS");
        if (reply.code() != 220) throw new SmtpSessionException(REFUSED, address() + " refused STARTTLS", reply, null);
        c.startTls(context);
        return hello(c);
    }

    private void authenticate(Connection c, Extensions ext, String secret) throws IOException, SmtpSessionException {
        if (!c.isTls() && !ext.has("AUTH") && ext.has("STARTTLS")) {
            throw new SmtpSessionException(POLICY, address() + " offers AUTH only over TLS (it offers STARTTLS, and no AUTH before it):"
                    + " set smtp.security=starttls", null, null);
        }
        if (!c.isTls() && !settings.allowPlaintextAuth()) {
            throw new SmtpSessionException(POLICY, "refusing to send the password to " + address() + " over an unencrypted"
                    + " connection: set smtp.security=starttls or tls, or smtp.allow-plaintext-auth=true for a trusted local relay", null, null);
        }
        String user = settings.credentials().username();
        AuthMechanism mechanism = mechanism(ext);
        SmtpReply reply = switch (mechanism) {
            case PLAIN -> auth(c, "PLAIN", base64("\0" + user + "\0" + secret));
            case LOGIN -> {
                SmtpReply r = c.command(Step.AUTH, "AUTH LOGIN", "AUTH LOGIN");
                if (r.code() == 334) r = c.respond(base64(user), "****");
                if (r.code() == 334) r = c.respond(base64(secret), "****");
                yield r;
            }
            case XOAUTH2 -> bearer(c, user, "XOAUTH2", base64("user=" + user + "\u0001auth=Bearer " + secret + "\u0001\u0001"), "");
            // RFC 7628 section 3.1: a GS2 header naming the user, then key=value pairs each ended by ^A; ^A alone ends them
            case OAUTHBEARER -> bearer(c, user, "OAUTHBEARER", base64("n,a=" + saslName(user) + ",\u0001host=" + settings.host() + "\u0001port="
                    + settings.port() + "\u0001auth=Bearer " + secret + "\u0001\u0001"), "AQ==");
            case AUTO -> throw new IllegalStateException("AUTO is resolved by mechanism()");
        };
        if (reply.code() == 235) return;
        // RFC 4954 section 6: 538 is the server's rule about the session, not a verdict on the credentials
        if (reply.code() == 538 && !c.isTls()) {
            throw new SmtpSessionException(POLICY, address() + " requires encryption for AUTH: set smtp.security=starttls (or tls, on a port"
                    + " that speaks TLS from the first byte, such as 465)", reply, null);
        }
        if (reply.isPermanent()) {
            String why = mechanism.isOAuth() ? null : SessionFailures.passwordsTurnedOff(reply);
            throw new SmtpSessionException(AUTH_REJECTED, address() + " rejected the credentials of " + user + (why == null ? "" : ": " + why), reply, null);
        }
        throw new SmtpSessionException(REFUSED, address() + " did not complete AUTH", reply, null);
    }

    /**
     * AUTH with its initial response on the command line when the line fits in 512 octets, else (an access
     * token is often longer) sent after the server's empty 334, as RFC 4954 section 4 requires. The transcript
     * shows neither.
     */
    private static SmtpReply auth(Connection c, String mechanism, String response) throws IOException {
        String line = "AUTH " + mechanism + " " + response;
        if (line.length() <= CommandWriter.COMMAND_OCTETS) return c.command(Step.AUTH, line, "AUTH " + mechanism + " ****");
        SmtpReply r = c.command(Step.AUTH, "AUTH " + mechanism, "AUTH " + mechanism);
        return r.code() == 334 ? c.respond(response, "****") : r;
    }

    /**
     * XOAUTH2 or OAUTHBEARER: a refused token gets a 334 whose base64 JSON says why; {@code abort} then asks for
     * the final reply (an empty line for XOAUTH2, a lone ^A for OAUTHBEARER: RFC 7628 section 3.2.3), and the
     * refusal names what the JSON said. The token itself is never shown.
     */
    private SmtpReply bearer(Connection c, String user, String mechanism, String response, String abort) throws IOException, SmtpSessionException {
        SmtpReply r = auth(c, mechanism, response);
        if (r.code() != 334) return r;
        String why = SessionFailures.oauthError(r);
        SmtpReply last = c.respond(abort, abort);
        if (last.code() == 235 || last.code() == 538) return last;
        throw new SmtpSessionException(last.isPermanent() ? AUTH_REJECTED : REFUSED,
                address() + " rejected the OAuth 2 access token of " + user + ": " + why, last, null);
    }

    /** A user name as a GS2 header writes it (RFC 5801 section 4): "," and "=" escaped. */
    private static String saslName(String user) {
        return user.replace("=", "=3D").replace(",", "=2C");
    }

    /** The job's mechanism if the server offers it; with AUTO, PLAIN else LOGIN. */
    private AuthMechanism mechanism(Extensions ext) throws SmtpSessionException {
        AuthMechanism wanted = settings.auth();
        if (wanted == AuthMechanism.AUTO) {
            if (ext.supportsAuth("PLAIN")) return AuthMechanism.PLAIN;
            if (ext.supportsAuth("LOGIN")) return AuthMechanism.LOGIN;
        } else if (ext.supportsAuth(wanted.name())) {
            return wanted;
        }
        boolean tokensOnly = wanted == AuthMechanism.AUTO && (ext.supportsAuth("XOAUTH2") || ext.supportsAuth("OAUTHBEARER"));
        throw new SmtpSessionException(REFUSED, address() + " does not offer AUTH " + (wanted == AuthMechanism.AUTO ? "PLAIN or LOGIN" : wanted.name())
                + "; it offers " + (ext.has("AUTH") ? String.join(" ", ext.params("AUTH")) : "no AUTH at all")
                + (tokensOnly ? SessionFailures.USE_A_TOKEN : ""), null, null);
    }

    private String heloName(Connection c) {
        if (settings.heloName() != null) return settings.heloName();
        try {
            String name = InetAddress.getLocalHost().getCanonicalHostName();
            if (name.contains(".") && name.chars().allMatch(ch -> ch < 0x7f && (Character.isLetterOrDigit(ch) || ch == '.' || ch == '-'))) {
                return name;
            }
        } catch (IOException ignored) {
            // no resolvable host name: RFC 5321 section 4.1.4 allows an address literal instead
        }
        return c.localAddressLiteral();
    }

    private void quietQuit(Connection c) {
        try {
            c.command(Step.QUIT, "QUIT");
        } catch (IOException | RuntimeException ignored) {
            // the session is being abandoned; QUIT is a courtesy
        } finally {
            c.close();
        }
    }

    private String address() { return settings.host() + ":" + settings.port(); }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
