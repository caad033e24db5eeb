package io.mailroom.cli;

import io.mailroom.testing.ScriptedSmtpServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the input and fault tests share: whole runs through the command line against a scripted SMTP server of
 * their own (a real socket server, for faults no real server makes on demand), a fresh one and a fresh database
 * for every test.
 */
abstract class AgainstScriptedServer {
    @TempDir
    Path dir;
    String db;
    ScriptedSmtpServer server;

    @BeforeEach
    void freshServerAndDatabase() throws Exception {
        db = "jdbc:h2:" + dir.resolve("db").toAbsolutePath();
        server = new ScriptedSmtpServer();
    }

    @AfterEach
    void closeServer() throws Exception {
        server.close();
    }

    Cli.Result mailroom(String... args) {
        return Cli.run(Cli.withDb(db, args));
    }
}
