package io.mailroom.job;

import io.mailroom.bounce.Mailbox;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import java.util.function.Function;

/**
 * Where a job's bounces arrive: the bounces.* keys of the job file, kept in the database's settings snapshot
 * (paths absolute) so the bounces command works from the database alone. Names where the password comes from,
 * never the password. {@code folder} and {@code moveTo} are IMAP's; {@code moveTo} null deletes a processed message.
 */
public record BounceSettings(Mailbox.Protocol protocol, String host, int port, Mailbox.Security security, String username,
                             String passwordEnv, Path passwordFile, boolean allowPlaintextAuth, Path trust, String folder, String moveTo,
                             Duration timeout) {
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(1);

    /** The mailbox to read; the password is read from its variable or file only when a connection is about to open. */
    public Mailbox toMailbox(Function<String, String> env) {
        return new Mailbox(protocol, host, port, security, username, Secrets.bouncePassword(this, env), allowPlaintextAuth, trust, folder, moveTo,
                timeout);
    }

    /**
     * The bounces.* keys of {@code f}, or null when it has none. With any of them, protocol, host, username and a
     * password source are required; folder and move-to are IMAP's alone.
     */
    static BounceSettings read(JobFile f) throws JobFileException {
        String protocolName = f.optional("bounces.protocol", null);
        if (protocolName == null) {
            for (String key : new java.util.TreeSet<>(JobFile.KEYS)) {
                if (key.startsWith("bounces.") && f.optional(key, null) != null) {
                    throw new JobFileException(f.file() + ": " + key + " is set but bounces.protocol is not: set bounces.protocol=pop3 or imap"
                            + " (how mailroom reads the mailbox bounces arrive in)");
                }
            }
            return null;
        }
        Mailbox.Protocol protocol = switch (protocolName.toLowerCase(Locale.ROOT)) {
            case "pop3" -> Mailbox.Protocol.POP3;
            case "imap" -> Mailbox.Protocol.IMAP;
            default -> throw new JobFileException(f.file() + ": bounces.protocol: \"" + protocolName + "\" must be pop3 or imap");
        };
        String securityName = f.optional("bounces.security", "tls");
        Mailbox.Security security = switch (securityName.toLowerCase(Locale.ROOT)) {
            case "tls" -> Mailbox.Security.TLS;
            case "starttls" -> Mailbox.Security.STARTTLS;
            case "none" -> Mailbox.Security.NONE;
            default -> throw new JobFileException(f.file() + ": bounces.security: \"" + securityName + "\" must be tls, starttls or none");
        };
        String env = f.passwordEnv("bounces");
        Path file = f.passwordFile("bounces");
        if (env == null && file == null) {
            throw new JobFileException(f.file() + ": bounces.protocol is set but no password source: add bounces.password.env or bounces.password.file");
        }
        String folder = f.optional("bounces.folder", "INBOX");
        String moveTo = f.optional("bounces.move-to", null);
        if (protocol == Mailbox.Protocol.POP3) {
            for (String key : new String[] {"bounces.folder", "bounces.move-to"}) {
                if (f.optional(key, null) != null) {
                    throw new JobFileException(f.file() + ": " + key + ": POP3 has no folders, only the inbox; set bounces.protocol=imap to use "
                            + key + ", or leave it out (a processed message is then deleted)");
                }
            }
        }
        if (folder.equals(moveTo)) {
            throw new JobFileException(f.file() + ": bounces.move-to: \"" + moveTo + "\" is the folder read (bounces.folder); name another folder,"
                    + " or leave it out to delete processed messages");
        }
        return new BounceSettings(protocol, f.required("bounces.host"), f.integer("bounces.port", defaultPort(protocol, security), 1, 65535),
                security, f.required("bounces.username"), env, file, f.bool("bounces.allow-plaintext-auth"),
                f.optional("bounces.trust", null) == null ? null : f.path("bounces.trust", false), folder, moveTo,
                f.duration("bounces.timeout") == null ? DEFAULT_TIMEOUT : f.duration("bounces.timeout"));
    }

    /** The registered ports: POP3 995 over TLS, else 110 (STARTTLS upgrades the plain port); IMAP 993, else 143. */
    static int defaultPort(Mailbox.Protocol protocol, Mailbox.Security security) {
        boolean tls = security == Mailbox.Security.TLS;
        return protocol == Mailbox.Protocol.POP3 ? (tls ? 995 : 110) : (tls ? 993 : 143);
    }

    /** The keys as the settings snapshot keeps them. */
    void putInto(Properties p) {
        p.setProperty("bounces.protocol", protocol.name().toLowerCase(Locale.ROOT));
        p.setProperty("bounces.host", host);
        p.setProperty("bounces.port", String.valueOf(port));
        p.setProperty("bounces.security", security.name().toLowerCase(Locale.ROOT));
        p.setProperty("bounces.username", username);
        if (passwordEnv != null) p.setProperty("bounces.password.env", passwordEnv);
        if (passwordFile != null) p.setProperty("bounces.password.file", passwordFile.toString());
        p.setProperty("bounces.allow-plaintext-auth", String.valueOf(allowPlaintextAuth));
        if (trust != null) p.setProperty("bounces.trust", trust.toString());
        if (protocol == Mailbox.Protocol.IMAP) p.setProperty("bounces.folder", folder);
        if (moveTo != null) p.setProperty("bounces.move-to", moveTo);
        p.setProperty("bounces.timeout", timeout.toMillis() + "ms");
    }
}
