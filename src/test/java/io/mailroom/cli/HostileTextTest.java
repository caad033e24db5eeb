package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.JobDir;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Text an attacker controls, a CSV value or a server's reply, through whole jobs: it reaches a terminal or
 * a spreadsheet only as text. Reports are read from --output files, which only the report writers
 * protect; standard output and error are what the command line's escaping streams let through.
 */
class HostileTextTest extends AgainstScriptedServer {
    /** A control character a terminal would act on, or a CR that is not the end of a CRLF record. */
    private static final Pattern RAW_CONTROL = Pattern.compile("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069\\u2028\\u2029]|\\r(?!\\n)");

    private Path job(String csv, String keyColumn) throws Exception {
        return new JobDir(dir.resolve("job")).csv(csv).set("recipients.key", keyColumn).smtp("127.0.0.1", server.port(), "none").write();
    }

    private String report(String format) throws Exception {
        Path file = dir.resolve("report." + format);
        Cli.Result r = mailroom("report", "test-job", "--format", format, "--output", file.toString());
        assertEquals(0, r.exit(), r.all());
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private static void assertNoRawControl(String where, String text) {
        assertFalse(RAW_CONTROL.matcher(text).find(), where + " carries a raw control character: " + text);
    }

    @Test
    void terminalEscapesInAServerReplyShowEscapedInReportsAndTheVerboseTranscript() throws Exception {
        server.rejectRecipient("user1@example.com", "550 5.1.1 \u001b]0;pwned\u0007 no such user\u001b[2J");
        Cli.Result run = mailroom("run", job("email,first_name,n\nuser1@example.com,User1,1\n", "email").toString(), "--verbose");
        assertEquals(1, run.exit(), run.all());
        assertTrue(run.err().contains("S: 550 5.1.1 \\x1b]0;pwned\\x07 no such user\\x1b[2J\n"), run.err());
        assertNoRawControl("--verbose", run.all());

        String text = report("text");
        assertTrue(text.contains("550 5.1.1 \\x1b]0;pwned\\x07 no such user\\x1b[2J"), text);
        assertNoRawControl("text report", text);
        String csv = report("csv");
        assertTrue(csv.contains(",\"550\",\"5.1.1\",\"\\x1b]0;pwned\\x07 no such user\\x1b[2J\","), csv);
        assertNoRawControl("CSV report", csv);
        assertEquals(csv, mailroom("report", "test-job", "--format", "csv").out(), "standard output keeps the CSV report's CRLF records as they are");
    }

    @Test
    void controlCharactersInAKeyShowEscapedInEveryReportAndTheSkippedRowLine() throws Exception {
        Path job = job("id,email,first_name,n\n"
                + "k1\u001b[31mred\u007f\u009b\u202e,ann@example.com,Ann,1\n"
                + "k2\u001b]0;pwned\u0007,not-an-address,Bob,2\n", "id");
        Cli.Result run = mailroom("run", job.toString());
        assertEquals(1, run.exit(), run.all());
        assertTrue(run.err().contains("row 3 (k2\\x1b]0;pwned\\x07): skipped: "), run.err());
        assertNoRawControl("run", run.all());

        String k1 = "k1\\x1b[31mred\\x7f\\x9b\\u202e";
        String text = report("text");
        assertTrue(text.contains(k1) && text.contains("k2\\x1b]0;pwned\\x07"), text);
        assertNoRawControl("text report", text);
        String csv = report("csv");
        assertTrue(csv.contains("\"2\",\"" + k1 + "\",") && csv.contains("\"3\",\"k2\\x1b]0;pwned\\x07\","), csv);
        assertNoRawControl("CSV report", csv);
        String html = report("html");
        assertTrue(html.contains("<td>" + k1 + "</td>"), html);
        assertNoRawControl("HTML report", html);
        String json = report("json");
        assertTrue(json.contains("\"key\": \"k1\\u001b[31mred\\u007f\\u009b\\u202e\""), json);
        assertNoRawControl("JSON report", json);
    }

    @Test
    void aRefusingServersWordsShowEscapedInTheErrorMessage() throws Exception {
        server.greeting("554 5.3.2 \u009b2J\u001b]0;pwned\u0007 go away");
        Cli.Result run = mailroom("run", job("email,first_name,n\nuser1@example.com,User1,1\n", "email").toString());
        assertEquals(69, run.exit(), run.all());
        assertTrue(run.err().contains("\\x9b2J\\x1b]0;pwned\\x07 go away"), run.err());
        assertNoRawControl("error message", run.all());
    }

    @Test
    void formulaCellsGetALeadingQuoteInTheCsvReportWhileJsonKeepsTheExactValue() throws Exception {
        server.rejectRecipient("minus@example.com", "550 5.1.1 \t=2+3").rejectRecipient("at@example.com", "550 5.1.1 \r=3+4");
        Path job = job("id,email,first_name,n\n"
                + "=1+2@example.com,=1+2@example.com,Eq,1\n"
                + "+1,plus@example.com,Plus,2\n"
                + "-1,minus@example.com,Minus,3\n"
                + "@sum(a1),at@example.com,At,4\n", "id");
        Cli.Result run = mailroom("run", job.toString());
        assertEquals(1, run.exit(), run.all());

        String csv = report("csv");
        assertTrue(csv.contains("\r\n\"2\",\"'=1+2@example.com\",\"to\",\"'=1+2@example.com\",\"sent\","), csv);
        assertTrue(csv.contains("\r\n\"3\",\"'+1\",\"to\",\"plus@example.com\",\"sent\","), csv);
        assertTrue(csv.contains("\r\n\"4\",\"'-1\",\"to\",\"minus@example.com\",\"failed\",\"1\",\"550\",\"5.1.1\",\"'\\x09=2+3\","), csv);
        assertTrue(csv.contains("\r\n\"5\",\"'@sum(a1)\",\"to\",\"at@example.com\",\"failed\",\"1\",\"550\",\"5.1.1\",\"'\\x0d=3+4\","), csv);
        String json = report("json");
        assertTrue(json.contains("\"key\": \"=1+2@example.com\", \"to\": [\"=1+2@example.com\"]"), json);
        assertTrue(json.contains("\"key\": \"+1\"") && json.contains("\"key\": \"-1\"") && json.contains("\"key\": \"@sum(a1)\""), json);
        assertTrue(json.contains("\"text\": \"\\t=2+3\"") && json.contains("\"text\": \"\\r=3+4\""), json);
    }
}
