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
 * with smtpd_client_message_rate_limit=3. Where Postfix cannot run, tests are skipped with the reason,
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
        String why = unavailable();
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) throw new IllegalStateException("CI must run the Postfix tests: " + why);
            Assumptions.abort("Postfix tests skipped: " + why);
        }
        Path dir = Path.of("target", "postfix-" + ProcessHandle.current().pid()).toAbsolutePath();
        int port = freePortPair();
        run(SCRIPT.toString(), "start", dir.toString(), String.valueOf(port));
        return new PostfixServer(dir, port);
    }

    public int port() { return port; }

    public int rateLimitedPort() { return port + 1; }

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

    private static int freePortPair() throws IOException {
        for (int i = 0; i < 50; i++) {
            int p;
            try (ServerSocket s = new ServerSocket(0)) {
                p = s.getLocalPort();
            }
            try (ServerSocket next = new ServerSocket(p + 1); ServerSocket first = new ServerSocket(p)) {
                return p;
            } catch (IOException taken) {
                // try another pair
            }
        }
        throw new IOException("no two free adjacent ports");
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException(String.join(" ", command) + " failed: " + output);
    }
}
