package io.mailroom.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real, private Postfix started by src/test/postfix/postfix.sh under target/: smtpd on {@link #port()}
 * (PIPELINING, STARTTLS, SIZE 200000, 550/450/451 by recipient prefix) and on {@link #rateLimitedPort()}
 * with smtpd_client_message_rate_limit=3; {@link #withOAuth} adds AUTH by OAuth 2 token. Where Postfix cannot run, tests are skipped with the reason,
 * except under CI (CI=true), where that is a failure.
 */
public final class PostfixServer implements AutoCloseable {
    /** One delivered copy: the recipient it was delivered to and the whole message. */
    public record Delivered(String to, String message) { }

    private static final Path SCRIPT = Path.of("src/test/postfix/postfix.sh").toAbsolutePath();

    private final Path dir;
    private final int port;

    private PostfixServer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    public static PostfixServer start() throws Exception {
        requireAvailable(unavailable());
        Path dir = Path.of("target", "postfix-" + ProcessHandle.current().pid()).toAbsolutePath();
        int port = freePorts(2);
        run(SCRIPT.toString(), "start", dir.toString(), String.valueOf(port));
        return new PostfixServer(dir, port);
    }

    /**
     * The same, and on {@link #oauthPort()} smtpd offering AUTH OAUTHBEARER and XOAUTH2 (STARTTLS first) through
     * a private Dovecot that checks each token at {@code introspectionUrl} (RFC 7662, POST token=…; a good one
     * is answered {"active":true,"username":"<the AUTH user>"}). Its own folder, so it runs beside {@link #start()}'s.
     */
    public static PostfixServer withOAuth(String introspectionUrl) throws Exception {
        String why = unavailable();
        if (why == null && !Files.isExecutable(Path.of("/usr/sbin/dovecot"))) why = "/usr/sbin/dovecot is not installed (apt-get install dovecot-core)";
        requireAvailable(why);
        Path dir = Path.of("target", "postfix-oauth-" + ProcessHandle.current().pid()).toAbsolutePath();
        int port = freePorts(3);
        run(SCRIPT.toString(), "start", dir.toString(), String.valueOf(port), introspectionUrl);
        return new PostfixServer(dir, port);
    }

    private static void requireAvailable(String why) {
        if (why == null) return;
        if ("true".equals(System.getenv("CI"))) throw new IllegalStateException("CI must run the Postfix tests: " + why);
        Assumptions.abort("Postfix tests skipped: " + why);
    }

    public int port() { return port; }

    public int rateLimitedPort() { return port + 1; }

    /** With {@link #withOAuth}: the port whose smtpd takes OAuth 2 tokens. */
    public int oauthPort() { return port + 2; }

    /** The certificate Postfix serves for STARTTLS (CN and SAN localhost, 127.0.0.1). */
    public Path certificate() { return dir.resolve("etc/cert.pem"); }

    /** Waits (bounded) until at least {@code count} copies are delivered, then returns all of them. */
    public List<Delivered> awaitDelivered(int count) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        List<Delivered> got = delivered();
        while (got.size() < count && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
            got = delivered();
        }
        return got;
    }

    public List<Delivered> delivered() throws IOException {
        List<Delivered> out = new ArrayList<>();
        for (String sub : List.of("new", "cur")) {
            Path folder = dir.resolve("mail/all").resolve(sub);
            if (!Files.isDirectory(folder)) continue;
            try (Stream<Path> files = Files.list(folder)) {
                for (Path f : files.sorted().toList()) {
                    String message = Files.readString(f, StandardCharsets.UTF_8);
                    String to = message.lines().filter(l -> l.startsWith("Delivered-To: ")).findFirst().orElse("Delivered-To: ?").substring(14);
                    out.add(new Delivered(to, message));
                }
            }
        }
        return out;
    }

    /** Postfix's log, for assertion messages. */
    public String log() throws IOException {
        Path log = dir.resolve("postfix.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() throws Exception {
        run(SCRIPT.toString(), "stop", dir.toString());
    }

    private static String unavailable() {
        if (!Files.isExecutable(Path.of("/usr/sbin/postfix"))) return "/usr/sbin/postfix is not installed (apt-get install postfix)";
        if (!"root".equals(System.getProperty("user.name"))) return "a private Postfix instance needs root";
        return null;
    }

    /** The first of {@code n} free adjacent ports. */
    private static int freePorts(int n) throws IOException {
        for (int i = 0; i < 50; i++) {
            int p;
            try (ServerSocket s = new ServerSocket(0)) {
                p = s.getLocalPort();
            }
            if (allFree(p, n)) return p;
        }
        throw new IOException("no " + n + " free adjacent ports");
    }

    private static boolean allFree(int first, int n) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int k = 0; k < n; k++) held.add(new ServerSocket(first + k));
            return true;
        } catch (IOException | IllegalArgumentException taken) {
            // in use, or past the last port
            return false;
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // only probed
                }
            }
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException(String.join(" ", command) + " failed: " + output);
    }
}
