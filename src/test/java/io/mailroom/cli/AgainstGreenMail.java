package io.mailroom.cli;

import io.mailroom.testing.GreenMailServer;
import io.mailroom.testing.JobDir;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the message tests share: whole runs through the command line against one in-process GreenMail per class
 * that requires AUTH, with a fresh database and empty mailboxes for every test.
 */
abstract class AgainstGreenMail {
    static final Map<String, String> ENV = Map.of("MAILROOM_SMTP_PASSWORD", GreenMailServer.PASSWORD);
    static GreenMailServer server;

    @TempDir
    Path dir;
    String db;

    @BeforeAll
    static void startServer() throws Exception {
        server = new GreenMailServer();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void freshDatabaseAndMailboxes() throws Exception {
        server.purge();
        db = "jdbc:h2:" + dir.resolve("db").toAbsolutePath();
    }

    Cli.Result mailroom(String... args) {
        return Cli.run(ENV, Cli.withDb(db, args));
    }

    /** A job in the test's folder that sends through the server (AUTH over plaintext, on loopback). */
    JobDir greenMailJob() throws IOException {
        return new JobDir(dir.resolve("job")).smtp("127.0.0.1", server.smtpPort(), "none").set("smtp.username", GreenMailServer.USER)
                .set("smtp.password.env", "MAILROOM_SMTP_PASSWORD").set("smtp.allow-plaintext-auth", "true");
    }
}
