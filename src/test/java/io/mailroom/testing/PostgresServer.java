package io.mailroom.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

/**
 * A real, private PostgreSQL cluster started by src/test/postgres/postgres.sh in a temporary folder, once
 * per test JVM and stopped when it exits; each {@link #newDatabase()} is an empty database of its own.
 * Where PostgreSQL cannot run, tests are skipped with the reason, except under CI (CI=true), where that is
 * a failure.
 */
public final class PostgresServer {
    public static final String USER = "mailroom";
    public static final String PASSWORD = "pg-secret-7f3a";

    private static final Path SCRIPT = Path.of("src/test/postgres/postgres.sh").toAbsolutePath();
    private static PostgresServer shared;
    private static String failed;

    private final int port;
    private final AtomicInteger databases = new AtomicInteger();

    private PostgresServer(int port) {
        this.port = port;
    }

    /** The cluster, started on first use. */
    public static synchronized PostgresServer get() {
        if (shared == null && failed == null) {
            try {
                shared = start();
            } catch (Exception e) {
                failed = e.getMessage();
            }
        }
        if (shared == null) {
            if ("true".equals(System.getenv("CI"))) throw new IllegalStateException("CI must run the PostgreSQL tests: " + failed);
            Assumptions.abort("PostgreSQL tests skipped: " + failed);
        }
        return shared;
    }

    private static PostgresServer start() throws IOException, InterruptedException {
        if (!java.nio.file.Files.isDirectory(Path.of("/usr/lib/postgresql"))) throw new IOException("PostgreSQL is not installed (apt-get install postgresql)");
        // under /tmp: the cluster's owner (not root) must be able to reach its folder
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "mailroom-pg-" + ProcessHandle.current().pid());
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        run(SCRIPT.toString(), "start", dir.toString(), String.valueOf(port), PASSWORD);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                run(SCRIPT.toString(), "stop", dir.toString());
                run("rm", "-rf", dir.toString());
            } catch (Exception ignored) {
                // the JVM is exiting; the folder is in /tmp
            }
        }));
        return new PostgresServer(port);
    }

    public int port() { return port; }

    /** A new, empty database; its URL names the user and leaves the password out (give it by $PGPASSWORD, the URL or .pgpass). */
    public String newDatabase() throws SQLException {
        String name = "t" + databases.incrementAndGet();
        try (Connection c = DriverManager.getConnection(urlOf("mailroom"), USER, PASSWORD); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        return urlOf(name);
    }

    /** {@code url} with the password in it, for tests that don't test how the password is found. */
    public static String withPassword(String url) {
        return url + "&password=" + PASSWORD;
    }

    private String urlOf(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + USER;
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException(String.join(" ", command) + " failed: " + output);
    }
}
