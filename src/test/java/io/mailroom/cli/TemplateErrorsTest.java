package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.JobDir;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A template that cannot work is refused at once (65) with one complete line naming the file, line and
 * column: nothing is stored or sent. A mistake that every row would meet is the template's, not one skipped
 * row after another; a row whose own value is bad is still skipped alone.
 */
class TemplateErrorsTest extends AgainstScriptedServer {
    private static final String HEADERS = "From: Team <team@example.com>\nTo: ${first_name} <${email}>\nSubject: Hi\n\n";

    private JobDir job(String template) throws Exception {
        return new JobDir(dir.resolve("job")).smtp("127.0.0.1", server.port(), "none")
                .csv("email,first_name,n\nann@example.com,Ann,1\nbob@example.com,Bob,2\n").file("message.ftl", template);
    }

    /** Exit 65 with exactly one line on standard error, and no job stored. */
    private String refused(Cli.Result run) {
        assertEquals(65, run.exit(), run.all());
        // the run made the database before it read the template, and says so (WhereTheDataLivesTest)
        String said = run.err().replaceFirst("^mailroom: note: created a new database at [^\n]*\n", "");
        assertEquals(1, said.lines().count(), "one message, not a line per row: " + run.err());
        assertTrue(mailroom("status").out().contains("no jobs yet"), "nothing stored");
        assertTrue(server.received().isEmpty());
        return said.strip();
    }

    @Test
    void syntaxErrorsSayFileLineColumnAndEverythingThatWasExpectedOnOneLine() throws Exception {
        record Case(String body, String said) { }
        List<Case> cases = List.of(
                new Case("<#if n == \"1\">one\n", "message.ftl line 5, column 18: Unexpected end of file reached. You have an unclosed #if."),
                new Case("Hello ${first_name + }\n", "message.ftl line 5, column 22: Encountered \"}\", but was expecting one of these patterns:"
                        + " a string, a raw string, \"false\", \"true\", a whole number, a number, \".\", \"+\", \"-\", \"!\", \"[\", \"(\", \"{\", a name"),
                new Case("<#lsit xs as x>${x}</#lsit>\n", "message.ftl line 5, column 2: Unknown directive: #lsit."),
                new Case("Hello ${first_name\nsee you\n", "message.ftl line 6, column 1: Encountered \"see\", but was expecting one of these"
                        + " patterns: \".\", \"..\", \"..<\", \"..*\", \"?\", \"??\", \"!\", \"[\", \"(\", \"}\""),
                new Case("<#if n == \"1\">one</#list>\n", "message.ftl line 5, column 18: Encountered \"</#list>\", but at this place only this"
                        + " can be closed: \"#if\"."));
        for (Case c : cases) {
            String said = refused(mailroom("run", job(HEADERS + c.body()).write().toString()));
            assertTrue(said.contains(c.said()), "expected " + c.said() + "\n     in " + said);
            assertFalse(said.endsWith(":") || said.contains("..."), "nothing cut short: " + said);
        }
        String nesting = refused(mailroom("run", job(HEADERS + "<#if n == \"1\">one</#list>\n").write().toString()));
        assertTrue(nesting.contains("Was expecting one of these patterns: \"<#attempt\", \"<#if\", \"<#elseif\"")
                && nesting.contains("\"</#if>\"") && nesting.endsWith("\"${\", \"#{\", \"[=\""), "the whole list: " + nesting);
    }

    @Test
    void anUnclosedInterpolationInTheHeaderBlockIsToldAsWrittenNotAsTheBodyMarker() throws Exception {
        String said = refused(mailroom("run", job("From: Team <team@example.com>\nTo: ${email\n\nHello\n").write().toString()));
        assertTrue(said.contains("message.ftl line 4, column 1: Encountered \"Hello\", but was expecting one of these patterns: \".\""), said);
        assertFalse(said.contains("/>") || said.contains("mailroom_body"), said);
    }

    @Test
    void aVariableThatIsNoColumnExits65NamingTheColumnsAndNothingIsStored() throws Exception {
        String said = refused(mailroom("run", job(HEADERS + "Hello ${frist_name},\n").write().toString()));
        assertEquals("mailroom: message.ftl line 5, column 9: ${frist_name} is not a column of recipients.csv (columns: email, first_name, n);"
                + " did you mean first_name? Every row would be skipped for it: fix the template; nothing was planned or sent", said);
    }

    @Test
    void aDryRunRefusesATemplateMistakeAsARunDoes() throws Exception {
        Cli.Result dry = mailroom("run", job(HEADERS + "Hello ${surname},\n").write().toString(), "--dry-run");
        assertTrue(refused(dry).contains("${surname} is not a column of recipients.csv (columns: email, first_name, n). Every row"), dry.err());
    }

    @Test
    void aTemplateMistakeOnALaterRunExits65AndChangesNothing() throws Exception {
        JobDir job = job(HEADERS + "Hello ${first_name},\n");
        assertEquals(0, mailroom("run", job.write().toString()).exit());
        job.csv("email,name,n\nann@example.com,Ann,1\nbob@example.com,Bob,2\ncarl@example.com,Carl,3\n");
        Cli.Result renamed = mailroom("run", job.write().toString());
        assertEquals(65, renamed.exit(), renamed.all());
        assertTrue(renamed.err().contains("message.ftl line 2, column 7: ${first_name} is not a column of recipients.csv (columns: email, name, n)"),
                renamed.err());

        job.csv("email,first_name,n\nann@example.com,Ann,1\nbob@example.com,Bob,2\ncarl@example.com,Carl,3\n").file("message.ftl", HEADERS + "Bye ${frist_name}\n");
        Cli.Result accepted = mailroom("run", job.write().toString(), "--accept-template-change");
        assertEquals(65, accepted.exit(), accepted.all());
        assertTrue(accepted.err().contains("${frist_name} is not a column"), accepted.err());
        assertFalse(accepted.err().contains("now the job's"), accepted.err());

        Cli.Result status = mailroom("status", "test-job");
        assertTrue(status.out().contains("pending 0, deferred 0, sent 2, failed 0, unknown 0, skipped 0"), status.out());
        assertEquals(2, server.received().size());
        // the job's template is still the one it was created with
        Cli.Result original = mailroom("run", job.file("message.ftl", HEADERS + "Hello ${first_name},\n").write().toString());
        assertEquals(0, original.exit(), original.all());
        assertTrue(server.received().get(2).content().contains("Hello Carl,"), server.received().get(2).content());
    }

    @Test
    void aHeaderLineTheTemplateItselfWritesWrongExits65() throws Exception {
        String noColon = refused(mailroom("run", job("From: Team <team@example.com>\nTo: ${email}\nSubject Hello\n\nbody\n").write().toString()));
        assertTrue(noColon.contains("message.ftl header line 3 is not \"Name: value\": \"Subject Hello\"; every row would be skipped for it"), noColon);

        String greeting = refused(mailroom("run", job("From: Team <team@example.com>\nTo: ${email}\nDear ${first_name},\n\nbody\n").write().toString()));
        assertTrue(greeting.contains("message.ftl header line 3 is not \"Name: value\": \"Dear Ann,\"; every row would be skipped"), greeting);

        String date = refused(mailroom("run", job("From: Team <team@example.com>\nTo: ${email}\nDate: ${n}\n\nbody\n").write().toString()));
        assertTrue(date.contains("message.ftl: header Date is written by mailroom; remove it from the template; every row would be skipped"), date);
        String noFrom = refused(mailroom("run", job("To: ${email}\nSubject: Hello\n\nbody\n").write().toString()));
        assertTrue(noFrom.contains("message.ftl: the header block has no From: line, and every message needs one (e.g. From: Team <team@example.com>);"
                + " every row would be skipped for it"), noFrom);
    }

    @Test
    void aHeaderLineOrAddressFromARowsValueSkipsThatRowAlone() throws Exception {
        JobDir job = job("From: Team <team@example.com>\nTo: ${first_name} <${email}>\n${extra}\n\nHello ${first_name}\n")
                .csv("email,first_name,n,extra\n,Nobody,0,X-Tag: none\nann@example.com,Ann,1,X-Tag: vip\nbob@example.com,Bob,2,no colon here\n");
        Cli.Result run = mailroom("run", job.write().toString());
        assertEquals(1, run.exit(), run.all());
        assertTrue(run.err().contains("row 4 (bob@example.com): skipped: message.ftl header line 3 is not \"Name: value\": \"no colon here\""),
                run.err());
        assertTrue(run.err().contains("row 2 (#row-2): skipped"), run.err());
        assertEquals(1, server.received().size());
        assertTrue(server.received().get(0).content().contains("X-Tag: vip"));
    }

    @Test
    void aFirstRowThatFailsOnItsOwnValueDoesNotHideAMistakeEveryOtherRowMeets() throws Exception {
        JobDir job = job("From: Team <team@example.com>\nTo: ${email}\nSubject: ${subject}\n\nHello ${frist_name}\n")
                .csv("email,first_name,subject\nann@example.com,Ann,\"two\nlines\"\nbob@example.com,Bob,Hi\n");
        String said = refused(mailroom("run", job.write().toString()));
        assertTrue(said.contains("message.ftl line 5, column 9: ${frist_name} is not a column of recipients.csv (columns: email, first_name, subject)"),
                said);
    }
}
