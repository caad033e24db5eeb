package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.JobDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad input gets one clear line naming the file, row or column, and the contract's exit code. Nothing bad is sent. */
class BadInputTest extends AgainstScriptedServer {
    private JobDir job() throws Exception {
        return new JobDir(dir.resolve("job")).smtp("127.0.0.1", server.port(), "none")
                .csv("email,first_name,n\nann@example.com,Ann,1\nbob@example.com,Bob,2\n");
    }

    @Test
    void aRecipientsDeviceOrPipeIsRefusedAtOnceNotReadForever() throws Exception {
        for (String args : new String[] {"run", "run --dry-run", "preview"}) {
            Path job = job().set("recipients", "/dev/zero").write();
            List<String> command = new java.util.ArrayList<>(List.of(args.split(" ")));
            command.add(job.toString());
            Cli.Result r = args.equals("preview") ? Cli.run(command.toArray(String[]::new)) : mailroom(command.toArray(String[]::new));
            assertEquals(66, r.exit(), args + ": " + r.all());
            assertTrue(r.err().contains("/dev/zero: not a regular file (recipients= in " + job + "); mailroom reads the CSV more than once,"
                    + " so give it a file, not a device or a pipe"), args + ": " + r.err());
        }
    }

    @Test
    void missingInputFilesExit66NamingTheFile() throws Exception {
        Cli.Result noJob = mailroom("run", dir.resolve("nope.job").toString());
        assertEquals(66, noJob.exit());
        assertTrue(noJob.err().contains("nope.job"), noJob.err());

        Cli.Result noCsv = mailroom("run", job().set("recipients", "missing.csv").write().toString());
        assertEquals(66, noCsv.exit());
        assertTrue(noCsv.err().contains("missing.csv"), noCsv.err());

        Cli.Result noTemplate = mailroom("run", job().set("template", "missing.ftl").write().toString());
        assertEquals(66, noTemplate.exit());
        assertTrue(noTemplate.err().contains("missing.ftl"), noTemplate.err());

        // the password is read when a session is about to open: the rows are stored and wait; no server is called
        Cli.Result noPasswordFile = mailroom("run", job().set("smtp.username", "u@x.com").set("smtp.password.file", "pw.txt").write().toString());
        assertEquals(66, noPasswordFile.exit());
        assertTrue(noPasswordFile.err().contains("pw.txt: password file not found (smtp.password.file)"), noPasswordFile.err());
        assertTrue(noPasswordFile.err().contains("test-job: stopped with pending 2,") && noPasswordFile.err().contains("mailroom resume test-job"),
                noPasswordFile.err());
        assertTrue(server.clientLines().isEmpty(), "connected to nothing: " + server.clientLines());
    }

    @Test
    void jobFileProblemsExit78NamingTheKey() throws Exception {
        Cli.Result typo = mailroom("run", job().set("smtp.prot", "25").write().toString());
        assertEquals(78, typo.exit());
        assertTrue(typo.err().contains("smtp.prot"), typo.err());

        Cli.Result noEnv = mailroom("run", job().set("smtp.username", "u@x.com").set("smtp.password.env", "NOT_SET_ANYWHERE").write().toString());
        assertEquals(78, noEnv.exit());
        assertTrue(noEnv.err().contains("NOT_SET_ANYWHERE"), noEnv.err());
    }

    @Test
    void csvWithoutTheKeyColumnExits65NamingTheColumn() throws Exception {
        Cli.Result run = mailroom("run", job().set("recipients.key", "customer_id").write().toString());
        assertEquals(65, run.exit());
        assertTrue(run.err().contains("customer_id") && run.err().contains("recipients.csv"), run.err());
        assertTrue(server.received().isEmpty());
    }

    @Test
    void templateSyntaxErrorExits65WithItsLineAndNothingIsStored() throws Exception {
        Cli.Result run = mailroom("run", job().file("message.ftl", "From: a@x.com\nTo: ${email}\n\nHello ${first_name\n").write().toString());
        assertEquals(65, run.exit());
        assertTrue(run.err().contains("message.ftl line 4"), run.err());
        assertTrue(mailroom("status").out().contains("no jobs yet"));
    }

    @Test
    void badRowsAreSkippedWithReasonsAndOnlyGoodRowsAreSent() throws Exception {
        JobDir job = job()
                .file("message.ftl", "From: Team <team@example.com>\nTo: ${first_name} <${email}>\nSubject: Hi ${first_name}\n"
                        + "<#if file?has_content>Attachment: ${file}</#if>\n\nHello ${first_name}, ${n}\n")
                .file("ok.txt", "attached")
                .csv("email,first_name,n,file\n"
                        + "ann@example.com,Ann,1,ok.txt\n"
                        + "not-an-address,Bob,2,\n"
                        + "carl@example.com,\"Carl\r\nBcc: spy@evil.example\",3,\n"
                        + "dora@example.com,Dora,4,missing.pdf\n"
                        + "eve@example.com,Eve,5,../../../etc/passwd\n"
                        + "fay@example.com,Fay,6\n");
        Cli.Result run = mailroom("run", job.write().toString());
        assertEquals(1, run.exit(), run.all());
        assertTrue(run.err().contains("row 3") && run.err().contains("not-an-address"), run.err());
        assertTrue(run.err().contains("row 4") && run.err().contains("header injection") && run.err().contains("first_name"), run.err());
        assertTrue(run.err().contains("row 5") && run.err().contains("missing.pdf"), run.err());
        assertTrue(run.err().contains("row 6") && run.err().contains("template's folder"), run.err());
        assertTrue(run.err().contains("row 7") && run.err().contains("3 fields but the header has 4"), run.err());
        assertEquals(1, server.received().size());
        assertEquals("ann@example.com", server.received().get(0).recipients().get(0));
        assertFalse(server.clientLines().toString().contains("spy@evil.example"));
        String report = mailroom("report", "test-job", "--format", "json").out();
        assertTrue(report.contains("\"skipped\": 5"), report);
    }

    @Test
    void overlongRowIsSkippedWithItsReasonAndTheRowsAfterItAreSent() throws Exception {
        JobDir job = job().csv("email,first_name,n\nann@example.com,Ann,1\nbob@example.com," + "B".repeat(1024 * 1024) + ",2\n"
                + "carl@example.com,Carl,3\n");
        Cli.Result run = mailroom("run", job.write().toString());
        assertEquals(1, run.exit(), run.all());
        assertTrue(run.err().contains("row 3") && run.err().contains("skipped: row 3 is longer than 1,048,576 characters"), run.err());
        assertEquals(2, server.received().size());
        assertEquals("carl@example.com", server.received().get(1).recipients().get(0));
    }

    @Test
    void duplicateKeysInOneCsvAreReportedAndSentOnce() throws Exception {
        JobDir job = job().csv("email,first_name,n\nann@example.com,Ann,1\nbob@example.com,Bob,2\nAnn@Example.com,Ann again,3\n");
        Cli.Result run = mailroom("run", job.write().toString());
        assertEquals(0, run.exit(), run.all());
        assertTrue(run.err().contains("row 4: key ann@example.com appears again; only its first row is sent"), run.err());
        assertTrue(run.out().contains("1 duplicate key(s) left out"), run.out());
        assertEquals(2, server.received().size());
        assertTrue(server.received().get(0).content().contains("Hello Ann, your number is 1"));
    }

    @Test
    void undefinedVariableThatIsNoColumnExits65NamingIt() throws Exception {
        Cli.Result run = mailroom("run", job().file("message.ftl", "From: a@example.com\nTo: ${email}\n\nHi ${frist_name}\n").write().toString());
        assertEquals(65, run.exit());
        assertTrue(run.err().contains("${frist_name} is not a column") && run.err().contains("line 4"), run.err());
        assertTrue(server.received().isEmpty());
    }

    @Test
    void dryRunReportsEveryProblemAtOnceAndStoresAndSendsNothing() throws Exception {
        JobDir job = job().csv("email,first_name,n\nann@example.com,Ann,1\nbad@,Bob,2\n\"x\ny\",Carl,3\ndora@example.com,Dora,4\n")
                .set("smtp.host", "unreachable.invalid");
        Cli.Result dry = mailroom("run", job.write().toString(), "--dry-run");
        assertEquals(1, dry.exit(), dry.all());
        assertTrue(dry.err().contains("row 3") && dry.err().contains("row 4"), dry.err());
        assertTrue(dry.out().contains("2 message(s) would be sent"), dry.out());
        assertTrue(mailroom("status").out().contains("no jobs yet"));
    }

    @Test
    void unreachableOrRefusingServerExits69AndKeepsRecipientsPending() throws Exception {
        int closedPort;
        try (var s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Path jobFile = job().smtp("127.0.0.1", closedPort, "none").write();
        Cli.Result unreachable = mailroom("run", jobFile.toString());
        assertEquals(69, unreachable.exit(), unreachable.all());
        assertTrue(unreachable.err().contains("cannot connect to 127.0.0.1:" + closedPort), unreachable.err());
        assertTrue(unreachable.err().contains("test-job: stopped with pending 2, deferred 0, sent 0, failed 0, unknown 0, skipped 0, partial 0;"
                + " once the cause below is fixed: mailroom run " + jobFile.toAbsolutePath() + " (it reads the job file again), or mailroom resume test-job"),
                "what is left, and how to go on: " + unreachable.err());
        assertTrue(mailroom("status", "test-job").out().contains("pending 2"));

        server.greeting("554 5.3.2 no service for you");
        Cli.Result refused = mailroom("run", job().write().toString());
        assertEquals(69, refused.exit(), refused.all());
        assertTrue(refused.err().contains("554"), refused.err());
    }

    @Test
    void starttlsJobRefusesAServerWithoutStarttls() throws Exception {
        Cli.Result run = mailroom("run", job().set("smtp.security", "starttls").write().toString());
        assertEquals(69, run.exit(), run.all());
        assertTrue(run.err().contains("does not offer STARTTLS"), run.err());
        assertTrue(server.received().isEmpty());
        assertFalse(server.clientLines().stream().anyMatch(l -> l.startsWith("MAIL")));
    }

    @Test
    void usageErrorsExit64AndUnknownJobsExit66() {
        assertEquals(64, Cli.run().exit());
        assertEquals(64, Cli.run("run").exit());
        assertEquals(64, Cli.run("run", "x.job", "--limit", "zero").exit());
        assertEquals(64, mailroom("report", "x", "--format", "pdf").exit());
        assertEquals(66, mailroom("resume", "no-such-job").exit());
        assertEquals(66, mailroom("report", "no-such-job").exit());
    }

    @Test
    void aDatabaseUrlThatCannotHoldAJobExits64SayingWhatWorks() throws Exception {
        Cli.Result privateMemory = Cli.run("run", job().write().toString(), "--db", "jdbc:h2:mem:");
        assertEquals(64, privateMemory.exit(), privateMemory.all());
        assertTrue(privateMemory.err().contains("private in-memory database") && privateMemory.err().contains("jdbc:h2:mem:jobs"), privateMemory.err());
        Cli.Result noDriver = Cli.run("status", "--db", "jdbc:nosuchdb://localhost/jobs?user=m&password=s3cret");
        assertEquals(64, noDriver.exit(), noDriver.all());
        assertTrue(noDriver.err().contains("mailroom cannot keep jobs in jdbc:nosuchdb://localhost/jobs?user=m&password=****: it stores them in H2")
                && noDriver.err().contains("or PostgreSQL (jdbc:postgresql://"), noDriver.err());
        assertFalse(noDriver.all().contains("s3cret"), noDriver.all());
        assertTrue(server.received().isEmpty());
    }

    @Test
    void csvInAnotherEncodingThanDeclaredExits65NamingTheRow() throws Exception {
        JobDir job = job().file("recipients.csv", "email,first_name,n\nann@example.com,Zoë,1\n", java.nio.charset.StandardCharsets.ISO_8859_1);
        Cli.Result run = mailroom("run", job.write().toString());
        assertEquals(65, run.exit(), run.all());
        assertTrue(run.err().contains("row 2") && run.err().contains("recipients.encoding"), run.err());
        assertTrue(Files.exists(job.dir().resolve("recipients.csv")));
    }
}
