package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.JobDir;
import io.mailroom.testing.PostgresServer;
import io.mailroom.testing.ScriptedSmtpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job kept in a real PostgreSQL database (a private cluster, see {@link PostgresServer}): the same
 * migrations make its schema, a run sends and records every address, and the password is found the way
 * libpq finds it and shown nowhere.
 */
class PostgresTest {
    @TempDir
    Path dir;
    PostgresServer pg;
    ScriptedSmtpServer server;
    String db;

    @BeforeEach
    void setUp() throws Exception {
        pg = PostgresServer.get();
        db = pg.newDatabase();
        server = new ScriptedSmtpServer().pipelining(true);
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
    }

    private Path job(int rows) throws Exception {
        return new JobDir(dir.resolve("job")).smtp("127.0.0.1", server.port(), "none").numberedRecipients(rows)
                .file("message.ftl", JobDir.TEMPLATE.replace("Subject:", "Cc: cc-${n}@example.com\nSubject:")).write();
    }

    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) env.put(pairs[i], pairs[i + 1]);
        return env;
    }

    @Test
    void aJobInPostgresqlSendsEveryAddressOnceAndReportsAndResumesFromTheDatabase() throws Exception {
        Path job = job(30);
        Map<String, String> env = env("PGPASSWORD", PostgresServer.PASSWORD);

        Cli.Result run = Cli.run(env, Cli.withDb(db, "run", job.toString()));
        assertEquals(0, run.exit(), run.all());
        assertEquals(30, server.received().size());
        assertEquals(60, server.received().stream().mapToInt(r -> r.recipients().size()).sum());

        Cli.Result again = Cli.run(env, Cli.withDb(db, "resume", "test-job"));
        assertEquals(0, again.exit(), again.all());
        assertEquals(30, server.received().size(), "nothing is sent twice");
        String json = Cli.run(env, Cli.withDb(db, "report", "test-job", "--format", "json")).out();
        assertTrue(json.contains("\"finished\": true") && json.contains("\"sent\": 30"), json);
        assertTrue(json.contains("{\"address\": \"cc-7@example.com\", \"kind\": \"cc\", \"status\": \"sent\", \"attempts\": 1,"), json);
        Cli.Result status = Cli.run(env, Cli.withDb(db, "status"));
        assertEquals(0, status.exit(), status.all());
        assertTrue(status.out().contains("test-job"), status.out());
    }

    @Test
    void thePasswordComesFromAPrivatePgpassFileAndOneOthersCanReadIsIgnored() throws Exception {
        Path pgpass = dir.resolve("pgpass");
        Files.writeString(pgpass, "# host:port:database:user:password\nother-host:*:*:*:wrong\n127.0.0.1:" + pg.port() + ":*:mailroom:"
                + PostgresServer.PASSWORD + "\n");
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
        Path job = job(2);

        Cli.Result run = Cli.run(env("PGPASSFILE", pgpass.toString()), Cli.withDb(db, "run", job.toString()));
        assertEquals(0, run.exit(), run.all());

        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-r--r--"));
        Cli.Result refused = Cli.run(env("PGPASSFILE", pgpass.toString()), Cli.withDb(db, "status"));
        assertEquals(77, refused.exit(), "a password file others can read is not used: " + refused.all());
    }

    @Test
    void aWrongPasswordIsALoginErrorThatNeverShowsThePassword() throws Exception {
        String wrong = "not-the-password-81c2";
        Cli.Result inUrl = Cli.run(Map.of(), Cli.withDb(db + "&password=" + wrong, "status"));
        assertEquals(77, inUrl.exit(), inUrl.all());
        assertTrue(inUrl.err().contains("refused user \"mailroom\"") && inUrl.err().contains("password=****"), inUrl.err());
        Cli.Result fromEnv = Cli.run(env("PGPASSWORD", wrong), Cli.withDb(db, "run", job(1).toString()));
        assertEquals(77, fromEnv.exit(), fromEnv.all());
        for (Cli.Result r : List.of(inUrl, fromEnv)) assertFalse(r.all().contains(wrong), r.all());
        assertTrue(server.received().isEmpty());
    }

    @Test
    void aServerThatIsNotThereLeavesTheJobToRunLater() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Cli.Result r = Cli.run(env("PGPASSWORD", PostgresServer.PASSWORD),
                Cli.withDb("jdbc:postgresql://127.0.0.1:" + closed + "/mailroom?user=mailroom&connectTimeout=5", "run", job(1).toString()));
        assertEquals(75, r.exit(), r.all());
        assertTrue(r.err().contains("cannot connect to the PostgreSQL server of jdbc:postgresql://127.0.0.1:" + closed), r.err());
    }
}
