package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.JobDir;
import io.mailroom.testing.PostgresServer;
import java.io.InputStream;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * A dry run tells the truth about the job the database holds: what is sent counts as sent, only what a run
 * would add is new, and a changed template is refused as a run refuses it. It stores nothing and connects
 * to no server.
 */
class DryRunTest extends AgainstScriptedServer {
    private JobDir job() throws Exception {
        return new JobDir(dir.resolve("job")).smtp("127.0.0.1", server.port(), "none");
    }

    @Test
    void aDryRunOfAJobPartlySentCountsWhatIsSentAsSentAndOnlyTheNewRowsAsToSend() throws Exception {
        JobDir job = job().numberedRecipients(10);
        assertEquals(0, mailroom("run", job.write().toString()).exit());
        int connections = server.connections();

        Cli.Result dry = mailroom("run", job.numberedRecipients(12).write().toString(), "--dry-run");
        assertEquals(0, dry.exit(), dry.all());
        assertTrue(dry.out().contains("test-job: 12 row(s) read, 2 new, 10 already in the job"), dry.out());
        assertTrue(dry.out().contains("test-job: dry run: nothing was stored or sent; 10 already sent, 2 message(s) would be sent"), dry.out());
        assertTrue(dry.out().contains("test-job: the job would then be: pending 2, deferred 0, sent 10, failed 0, unknown 0, skipped 0, partial 0"),
                dry.out());
        assertEquals(connections, server.connections(), "a dry run connects to no server");
        assertEquals(10, server.received().size());
        Cli.Result status = mailroom("status", "test-job");
        assertTrue(status.out().contains("test-job: pending 0, deferred 0, sent 10, failed 0, unknown 0, skipped 0, partial 0"), status.out());
        assertEquals(0, status.exit(), "the job is as it was: " + status.all());

        Cli.Result run = mailroom("run", job.write().toString());
        assertEquals(0, run.exit(), run.all());
        assertEquals(12, server.received().size(), "the run sends what the dry run said");
    }

    @Test
    void aDryRunCountsARowFixedSinceItWasSkippedAsToSend() throws Exception {
        JobDir job = job().csv("email,first_name,n\nann@example.com,Ann,1\nbob@example.com,\"Bob\nBcc: x@evil.example\",2\n");
        assertEquals(1, mailroom("run", job.write().toString()).exit());

        Cli.Result dry = mailroom("run", job.csv("email,first_name,n\nann@example.com,Ann,1\nbob@example.com,Bob,2\n").write().toString(), "--dry-run");
        assertEquals(0, dry.exit(), dry.all());
        assertTrue(dry.out().contains("test-job: dry run: nothing was stored or sent; 1 already sent, 1 message(s) would be sent"), dry.out());
        assertTrue(dry.out().contains("pending 1, deferred 0, sent 1, failed 0, unknown 0, skipped 0"), dry.out());
        assertTrue(mailroom("status", "test-job").out().contains("skipped 1"), "still skipped in the job");
    }

    @Test
    void aRowFixedAfterItsPlaceholderWasCancelledLeavesItCancelledInTheDryRunAsInTheRun() throws Exception {
        JobDir job = job().csv("email,first_name,n\nann@example.com,Ann,1\n,Bob,2\n");
        assertEquals(1, mailroom("run", job.write().toString()).exit());
        Cli.Result cancel = mailroom("cancel", "test-job", "#row-3");
        assertEquals(0, cancel.exit(), "the skipped row was kept under its row's placeholder key: " + cancel.all());
        job.csv("email,first_name,n\nann@example.com,Ann,1\nbob@example.com,Bob,2\n");

        Cli.Result dry = mailroom("run", job.write().toString(), "--dry-run");
        assertEquals(0, dry.exit(), dry.all());
        assertTrue(dry.out().contains("test-job: the job would then be: pending 1, deferred 0, sent 1, failed 0, unknown 0, skipped 0, partial 0,"
                + " cancelled 1\n"), "bob's cancelled placeholder stays cancelled, nothing is skipped: " + dry.out());

        Cli.Result run = mailroom("run", job.write().toString());
        assertEquals(0, run.exit(), run.all());
        assertTrue(mailroom("status", "test-job").out().contains("sent 2, failed 0, unknown 0, skipped 0, partial 0, cancelled 1"), "as the run left it");
    }

    @Test
    void aDryRunRefusesAChangedTemplateInTheWordsOfRunAndTakesTheSameFlag() throws Exception {
        JobDir job = job().numberedRecipients(2);
        assertEquals(0, mailroom("run", job.write().toString()).exit());
        job.file("message.ftl", JobDir.TEMPLATE.replace("Hello", "Hi"));

        Cli.Result run = mailroom("run", job.write().toString());
        Cli.Result dry = mailroom("run", job.write().toString(), "--dry-run");
        assertEquals(65, run.exit(), run.all());
        assertEquals(65, dry.exit(), dry.all());
        assertTrue(dry.err().contains("changed since job test-job was created; nothing was sent."), dry.err());
        assertEquals(run.err(), dry.err());

        Cli.Result accepted = mailroom("run", job.numberedRecipients(3).write().toString(), "--dry-run", "--accept-template-change");
        assertEquals(0, accepted.exit(), accepted.all());
        assertTrue(accepted.out().contains("2 already sent, 1 message(s) would be sent"), accepted.out());
        assertFalse(accepted.err().contains("now the job's"), "a dry run adopts nothing: " + accepted.err());
        assertEquals(65, mailroom("run", job.write().toString()).exit(), "the job's template is still its own");
        assertEquals(2, server.received().size());
    }

    @Test
    void aDryRunLeavesADatabaseOfAnOlderSchemaAtItsVersionAndPlansAsForANewJob() throws Exception {
        try (InputStream in = DryRunTest.class.getResourceAsStream("/fixtures/v5-database/jobs.mv.db")) {
            Files.copy(in, dir.resolve("db.mv.db"));
        }

        Cli.Result dry = mailroom("run", job().numberedRecipients(3).write().toString(), "--dry-run");

        assertEquals("5", newestMigration(db), "not migrated");
        assertEquals(0, dry.exit(), dry.all());
        assertTrue(dry.out().contains("test-job: dry run: nothing was stored or sent; 3 message(s) would be sent"), dry.out());
        assertTrue(dry.err().contains("mailroom: note: " + dir.resolve("db.mv.db") + " is not at this version's schema (a run migrates it first);"
                + " left as it is, it is read as holding no job"), dry.err());
    }

    @Test
    void aDryRunOnANewPostgresqlDatabaseCreatesNoSchema() throws Exception {
        String pg = PostgresServer.withPassword(PostgresServer.get().newDatabase());

        Cli.Result dry = Cli.run(Cli.withDb(pg, "run", job().numberedRecipients(3).write().toString(), "--dry-run"));

        assertEquals(0, dry.exit(), dry.all());
        assertTrue(dry.out().contains("test-job: dry run: nothing was stored or sent; 3 message(s) would be sent"), dry.out());
        assertFalse(dry.all().contains(PostgresServer.PASSWORD), dry.all());
        try (Connection c = DriverManager.getConnection(pg); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "no table made");
        }
    }

    private static String newestMigration(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT \"version\" FROM \"flyway_schema_history\" ORDER BY \"installed_rank\" DESC LIMIT 1")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void aDryRunWithoutADatabaseMakesNone() throws Exception {
        Cli.Result dry = mailroom("run", job().numberedRecipients(3).write().toString(), "--dry-run");
        assertEquals(0, dry.exit(), dry.all());
        assertTrue(dry.out().contains("test-job: dry run: nothing was stored or sent; 3 message(s) would be sent"), dry.out());
        assertFalse(Files.exists(dir.resolve("db.mv.db")), "no database file made");
        assertEquals(0, server.connections());
    }
}
