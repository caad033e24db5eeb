package io.mailroom.job;

import io.mailroom.send.RateLimit;
import io.mailroom.send.RetryRules;
import io.mailroom.smtp.AuthMechanism;
import io.mailroom.smtp.Security;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a job file (Java properties, UTF-8) into a {@link JobSpec}. Relative paths resolve against the
 * job file's folder. Every problem names the file and the key; unknown keys are refused so a typo never
 * silently falls back to a default. A literal password is refused: it would end up in the file and the
 * database. Also writes and reads the send settings snapshot kept in the database.
 */
public final class JobFile {
    static final Set<String> KEYS = Set.of("name", "recipients", "recipients.encoding", "recipients.key", "template", "template.html",
            "smtp.host", "smtp.port", "smtp.security", "smtp.username", "smtp.auth", "smtp.password.env", "smtp.password.file", "smtp.password.command",
            "smtp.trust",
            "smtp.allow-plaintext-auth", "smtp.timeout", "smtp.max-messages-per-session", "smtp.connections", "smtp.idle-probe", "smtp.helo", "envelope.from",
            "retry.max-attempts", "retry.give-up-after", "rate", "rate.recipients", "rate.scope", "recipients.max-row-size", "template.max-render-time",
            "attachment.max-size", "message.max-size", "envelope.verp", "recipients.suppress-bounced",
            "bounces.protocol", "bounces.host", "bounces.port", "bounces.security", "bounces.username", "bounces.password.env",
            "bounces.password.file", "bounces.folder", "bounces.move-to", "bounces.allow-plaintext-auth", "bounces.trust", "bounces.timeout",
            "dkim.domain", "dkim.selector", "dkim.key.file", "dkim.headers", "list-unsubscribe.url", "list-unsubscribe.mailto",
            "dsn.notify", "dsn.ret", "dsn.envid", "dsn.orcpt",
            // sized itself before the flight journal made it moot; still accepted, so older job files and stored settings load
            "store.write-ahead");
    static final Duration DEFAULT_IDLE_PROBE = Duration.ofSeconds(30);
    /** Sessions at once; servers limit connections per client to a few (Postfix: 50 per client by default), and so does sense. */
    static final int MOST_CONNECTIONS = 50;
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    private final String file;
    private final Properties props;
    private final Path base;

    /** What the job file is called in messages: its path, or the job's stored settings. */
    String file() { return file; }

    private JobFile(String file, Properties props, Path base) {
        this.file = file;
        this.props = props;
        this.base = base;
    }

    /** A job's name is typed in commands and kept in file names: at most this long. */
    static final int NAME_MAX = 200;

    /** Refuses a name commands could not take, saying why; one from the file's own name ({@code fromFile}) says where it came from. */
    private static void checkName(Path path, String name, boolean fromFile) throws JobFileException {
        boolean tooLong = name.length() > NAME_MAX;
        if (!tooLong && name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) return;
        String shown = "\"" + (tooLong ? name.substring(0, 40) + "…\" (" + name.length() + " characters)" : name + "\"");
        String rule = tooLong ? "is too long: at most " + NAME_MAX + " characters" : "must be letters, digits, '.', '_' or '-', starting with a letter"
                + " or digit (it names the job in commands)";
        if (!fromFile) throw new JobFileException(path + ": name: " + shown + " " + rule);
        String suggested = name.replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^[^A-Za-z0-9]+", "").replaceAll("-+$", "");
        suggested = suggested.isEmpty() ? "my-job" : suggested.substring(0, Math.min(suggested.length(), 40));
        throw new JobFileException(path + ": the job's name comes from the file's name when there is no name= line, and " + shown + " " + rule
                + ": add a line such as name=" + suggested);
    }

    public static JobSpec load(Path path) throws JobFileException, InputMissingException {
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            props.load(r);
        } catch (NoSuchFileException e) {
            throw new InputMissingException(path + ": job file not found", e);
        } catch (IOException e) {
            throw new InputMissingException(path + ": cannot read the job file: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new JobFileException(path + ": not a valid properties file: " + e.getMessage());
        }
        JobFile f = new JobFile(path.toString(), props, path.toAbsolutePath().getParent());
        f.refuseUnknownKeys(path);
        String defaultName = path.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        String name = f.optional("name", defaultName);
        checkName(path, name, props.getProperty("name") == null);
        String html = f.optional("template.html", null);
        return new JobSpec(name, path, f.path("recipients", true), f.charset(), f.optional("recipients.key", null),
                f.path("template", true), html == null ? null : f.path("template.html", true), f.send());
    }

    /** The send settings as stored in the database: absolute paths, no password. */
    public static String snapshot(SendSettings s) {
        Properties p = new Properties();
        p.setProperty("smtp.host", s.host());
        p.setProperty("smtp.port", String.valueOf(s.port()));
        p.setProperty("smtp.security", s.security().name().toLowerCase(Locale.ROOT));
        putIf(p, "smtp.username", s.username());
        p.setProperty("smtp.auth", s.auth().name().toLowerCase(Locale.ROOT));
        putIf(p, "smtp.password.env", s.passwordEnv());
        putIf(p, "smtp.password.file", s.passwordFile());
        putIf(p, "smtp.password.command", s.passwordCommand());
        putIf(p, "smtp.trust", s.trust());
        p.setProperty("smtp.allow-plaintext-auth", String.valueOf(s.allowPlaintextAuth()));
        if (s.timeout() != null) p.setProperty("smtp.timeout", s.timeout().toMillis() + "ms");
        p.setProperty("smtp.max-messages-per-session", String.valueOf(s.maxMessagesPerSession()));
        p.setProperty("smtp.idle-probe", s.idleProbe().toMillis() + "ms");
        p.setProperty("retry.max-attempts", String.valueOf(s.retry().maxAttempts()));
        p.setProperty("retry.give-up-after", s.retry().giveUpAfter().toMillis() + "ms");
        String messages = String.join(", ", s.rate().stream().filter(l -> !l.recipients()).map(RateLimit.Limit::toKey).toList());
        String recipients = String.join(", ", s.rate().stream().filter(RateLimit.Limit::recipients).map(RateLimit.Limit::toKey).toList());
        if (!messages.isEmpty()) p.setProperty("rate", messages);
        if (!recipients.isEmpty()) p.setProperty("rate.recipients", recipients);
        if (s.rateForJobOnly()) p.setProperty("rate.scope", "job");
        putIf(p, "envelope.from", s.envelopeFrom());
        putIf(p, "smtp.helo", s.helo());
        p.setProperty("smtp.connections", String.valueOf(s.connections()));
        p.setProperty("recipients.max-row-size", String.valueOf(s.limits().rowChars()));
        p.setProperty("template.max-render-time", s.limits().renderTime().toMillis() + "ms");
        p.setProperty("attachment.max-size", String.valueOf(s.limits().attachmentBytes()));
        p.setProperty("message.max-size", String.valueOf(s.limits().messageBytes()));
        p.setProperty("envelope.verp", String.valueOf(s.verp()));
        p.setProperty("recipients.suppress-bounced", String.valueOf(s.suppressBounced()));
        s.bounces().ifPresent(b -> b.putInto(p));
        if (s.dkim() != null) s.dkim().putInto(p);
        if (s.unsubscribe() != null) s.unsubscribe().putInto(p);
        DsnSettings.putInto(s.dsn(), p);
        StringWriter out = new StringWriter();
        try {
            p.store(out, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString().replaceFirst("^#.*\\R", "");
    }

    public static SendSettings fromSnapshot(String jobName, String snapshot) throws JobFileException {
        Properties p = new Properties();
        try {
            p.load(new StringReader(snapshot));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new JobFile("stored settings of job " + jobName, p, Path.of("/")).send();
    }

    private SendSettings send() throws JobFileException {
        Security security = security();
        int defaultPort = switch (security) { case STARTTLS -> 587; case TLS -> 465; case NONE -> 25; };
        String env = passwordEnv("smtp");
        Path pwFile = passwordFile("smtp");
        String command = optional("smtp.password.command", null);
        String username = optional("smtp.username", null);
        if (command != null && (env != null || pwFile != null)) {
            throw new JobFileException(file + ": set one of smtp.password.env, smtp.password.file and smtp.password.command, not two");
        }
        if (command != null && username == null) {
            throw new JobFileException(file + ": smtp.password.command is set but smtp.username is not: name the account the token or password is for");
        }
        if (username != null && env == null && pwFile == null && command == null) {
            throw new JobFileException(file + ": smtp.username is set but no password source: add smtp.password.env, smtp.password.file"
                    + " or smtp.password.command");
        }
        int max = integer("smtp.max-messages-per-session", 0, 0, Integer.MAX_VALUE);
        return new SendSettings(required("smtp.host"), integer("smtp.port", defaultPort, 1, 65535), security, username, auth(), env,
                pwFile, command, props.containsKey("smtp.trust") ? path("smtp.trust", false) : null,
                bool("smtp.allow-plaintext-auth"), duration("smtp.timeout"), max, orDefault(duration("smtp.idle-probe"), DEFAULT_IDLE_PROBE),
                new RetryRules(integer("retry.max-attempts", RetryRules.DEFAULT.maxAttempts(), 1, 1000),
                        orDefault(duration("retry.give-up-after"), RetryRules.DEFAULT.giveUpAfter())),
                rate(), rateScope(), optional("envelope.from", null), optional("smtp.helo", null),
                integer("smtp.connections", 1, 1, MOST_CONNECTIONS), limits(), bool("envelope.verp"), bool("recipients.suppress-bounced"),
                BounceSettings.read(this), DsnSettings.read(this), DkimSettings.read(this), ListUnsubscribe.read(this));
    }

    /**
     * The {@code keys}.password.env variable's name, or null; refuses a literal {@code keys}.password, both sources at
     * once, and a variable name that may be the password itself (never printed or stored).
     */
    String passwordEnv(String keys) throws JobFileException {
        String env = optional(keys + ".password.env", null);
        if (props.containsKey(keys + ".password")) {
            throw new JobFileException(file + ": " + keys + ".password: a literal password is not accepted; name an environment variable"
                    + " with " + keys + ".password.env or a file with " + keys + ".password.file"
                    + (keys.equals("smtp") ? ", or a command that prints it with smtp.password.command" : ""));
        }
        if (env != null && optional(keys + ".password.file", null) != null) {
            throw new JobFileException(file + ": set " + keys + ".password.env or " + keys + ".password.file, not both");
        }
        if (env != null && !env.matches("[A-Za-z_][A-Za-z0-9_]{0,199}")) {
            // it may be the password itself, typed in the wrong place: never print or store it
            throw new JobFileException(file + ": " + keys + ".password.env must name an environment variable (letters, digits and _, e.g."
                    + " MAILROOM_" + keys.toUpperCase(Locale.ROOT) + "_PASSWORD); the value given is not one, and is not shown in case it is the password");
        }
        return env;
    }

    /** The {@code keys}.password.file path, or null. */
    Path passwordFile(String keys) throws JobFileException {
        return optional(keys + ".password.file", null) == null ? null : path(keys + ".password.file", false);
    }

    private RowLimits limits() throws JobFileException {
        RowLimits d = RowLimits.DEFAULT;
        Duration render = orDefault(duration("template.max-render-time"), d.renderTime());
        if (render.compareTo(Duration.ofHours(1)) > 0) throw new JobFileException(file + ": template.max-render-time: at most 1h for one row");
        return new RowLimits((int) size("recipients.max-row-size", d.rowChars(), 64L << 20), render,
                size("attachment.max-size", d.attachmentBytes(), 1L << 30), size("message.max-size", d.messageBytes(), 1L << 30));
    }

    private long size(String key, long fallback, long max) throws JobFileException {
        String v = optional(key, null);
        if (v == null) return fallback;
        long n = Sizes.parse(v);
        if (n >= 1 && n <= max) return n;
        throw new JobFileException(file + ": " + key + ": \"" + v + "\" must be a size like 500KB, 25MB or 1GB, at most " + Sizes.human(max));
    }

    /** Each unknown key with the line it is on and the known key it is most likely a typo of. */
    private void refuseUnknownKeys(Path path) throws JobFileException {
        Set<String> unknown = new TreeSet<>(props.stringPropertyNames());
        unknown.removeAll(KEYS);
        unknown.remove("smtp.password");
        unknown.remove("bounces.password");
        if (unknown.isEmpty()) return;
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            lines = List.of();
        }
        List<String> said = new ArrayList<>();
        for (String key : unknown) {
            int line = 0;
            for (int i = 0; i < lines.size() && line == 0; i++) {
                if (lines.get(i).strip().matches(java.util.regex.Pattern.quote(key) + "\\s*[=:\\s].*|" + java.util.regex.Pattern.quote(key))) line = i + 1;
            }
            String like = likelyMeant(key);
            said.add((line > 0 ? "line " + line + ": " : "") + key + (like == null ? "" : " (did you mean " + like + "?)"));
        }
        throw new JobFileException(file + ": unknown key" + (said.size() > 1 ? "s " : " ") + String.join(", ", said)
                + "; known keys are listed in the README");
    }

    /** The known key {@code key} is likely a typo of (a few letters off, or the end of a longer key), or null. */
    private static String likelyMeant(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : new TreeSet<>(KEYS)) {
            int d = k.endsWith("." + key) ? 1 : distance(key, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return bestDistance <= Math.max(2, key.length() / 4) ? best : null;
    }

    /** Levenshtein distance: the single-character edits from a to b. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private Security security() throws JobFileException {
        String v = optional("smtp.security", "starttls");
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "starttls" -> Security.STARTTLS;
            case "tls" -> Security.TLS;
            case "none" -> Security.NONE;
            default -> throw new JobFileException(file + ": smtp.security: \"" + v + "\" must be starttls, tls or none");
        };
    }

    /** Whether the limits count this job alone (rate.scope=job) rather than every job on its account (account, the default). */
    private boolean rateScope() throws JobFileException {
        String v = optional("rate.scope", "account");
        return switch (v) {
            case "account" -> false;
            case "job" -> true;
            default -> throw new JobFileException(file + ": rate.scope: \"" + v + "\" must be account (every job sending through the same"
                    + " SMTP host, port and username counts together) or job");
        };
    }

    /** {@code rate} counts messages, {@code rate.recipients} the addresses in their envelopes. */
    private List<RateLimit.Limit> rate() throws JobFileException {
        List<RateLimit.Limit> limits = new ArrayList<>();
        for (String key : List.of("rate", "rate.recipients")) {
            String v = optional(key, null);
            if (v == null) continue;
            List<RateLimit.Limit> parsed = RateLimit.parse(v, key.equals("rate.recipients"));
            if (parsed == null) {
                throw new JobFileException(file + ": " + key + ": \"" + v + "\" must be limits like 20/second, 50/5m, 2000/hour, 500/day"
                        + " (comma-separated; units second, minute, hour, day or s, m, h, d)");
            }
            limits.addAll(parsed);
        }
        return limits;
    }

    private AuthMechanism auth() throws JobFileException {
        String v = optional("smtp.auth", "auto");
        try {
            return AuthMechanism.valueOf(v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new JobFileException(file + ": smtp.auth: \"" + v + "\" must be auto, plain, login, xoauth2 or oauthbearer");
        }
    }

    private Charset charset() throws JobFileException {
        String v = optional("recipients.encoding", "UTF-8");
        try {
            return Charset.forName(v);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            throw new JobFileException(file + ": recipients.encoding: unknown encoding \"" + v + "\" (e.g. UTF-8, windows-1252, GB18030)");
        }
    }

    Path path(String key, boolean mustBeSet) throws JobFileException {
        return base.resolve(mustBeSet ? required(key) : optional(key, "")).normalize();
    }

    String required(String key) throws JobFileException {
        String v = optional(key, null);
        if (v == null) throw new JobFileException(file + ": " + key + " is required");
        return v;
    }

    String optional(String key, String fallback) {
        String v = props.getProperty(key);
        return v == null || v.isBlank() ? fallback : v.strip();
    }

    int integer(String key, int fallback, int min, int max) throws JobFileException {
        String v = optional(key, null);
        if (v == null) return fallback;
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException ignored) {
            // reported below with the allowed range
        }
        throw new JobFileException(file + ": " + key + ": \"" + v + "\" must be a whole number from " + min + " to " + max);
    }

    boolean bool(String key) throws JobFileException {
        String v = optional(key, "false");
        if (v.equalsIgnoreCase("true")) return true;
        if (v.equalsIgnoreCase("false")) return false;
        throw new JobFileException(file + ": " + key + ": \"" + v + "\" must be true or false");
    }

    Duration duration(String key) throws JobFileException {
        String v = optional(key, null);
        if (v == null) return null;
        Duration d = parseDuration(v);
        if (d == null) throw new JobFileException(file + ": " + key + ": \"" + v + "\" must be a duration like 500ms, 30s, 5m, 2h or 1d");
        return d;
    }

    /** 500ms, 30s, 5m, 2h, 1d; null for anything else (or zero). */
    public static Duration parseDuration(String v) {
        Matcher m = DURATION.matcher(v.strip().toLowerCase(Locale.ROOT));
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) return null;
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    private static Duration orDefault(Duration d, Duration fallback) {
        return d == null ? fallback : d;
    }

    private static void putIf(Properties p, String key, Object value) {
        if (value != null) p.setProperty(key, value.toString());
    }
}
