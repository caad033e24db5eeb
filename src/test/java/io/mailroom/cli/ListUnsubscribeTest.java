package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.JobDir;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** List-Unsubscribe (RFC 2369) and one-click (RFC 8058) from the job's keys, checked on what GreenMail received. */
class ListUnsubscribeTest extends AgainstGreenMail {
    private JobDir job(String csv) throws Exception {
        return greenMailJob().csv(csv);
    }

    private static MimeMessage to(String address) throws Exception {
        for (MimeMessage m : server.received()) if (m.getAllRecipients()[0].toString().contains(address)) return m;
        throw new AssertionError("nothing received for " + address);
    }

    private static List<String> header(MimeMessage m, String name) throws Exception {
        String[] v = m.getHeader(name);
        return v == null ? List.of() : Arrays.stream(v).map(s -> s.replaceAll("\\r\\n[ \\t]", " ")).toList();
    }

    @Test
    void eachRowGetsItsOwnUrlAndMailtoAndTheOneClickHeader() throws Exception {
        Path jobFile = job("email,first_name,n\nann+news@example.com,Ann,1\nbob@example.com,Bob & Co,2\n")
                .set("list-unsubscribe.url", "https://example.com/unsubscribe?u=${email?url}&n=${n}")
                .set("list-unsubscribe.mailto", "leave-${n}@example.com?subject=unsubscribe%20${n}").write();
        Cli.Result run = mailroom("run", jobFile.toString());
        assertEquals(0, run.exit(), run.all());

        assertEquals(List.of("<https://example.com/unsubscribe?u=ann%2Bnews%40example.com&n=1>, <mailto:leave-1@example.com?subject=unsubscribe%201>"),
                header(to("ann+news@example.com"), "List-Unsubscribe"));
        assertEquals(List.of("<https://example.com/unsubscribe?u=bob%40example.com&n=2>, <mailto:leave-2@example.com?subject=unsubscribe%202>"),
                header(to("bob@example.com"), "List-Unsubscribe"));
        assertEquals(List.of("List-Unsubscribe=One-Click"), header(to("bob@example.com"), "List-Unsubscribe-Post"));
    }

    @Test
    void aMailtoAloneHasNoOneClickHeader() throws Exception {
        Path jobFile = job("email,first_name,n\nann@example.com,Ann,1\n").set("list-unsubscribe.mailto", "mailto:leave@example.com").write();
        assertEquals(0, mailroom("run", jobFile.toString()).exit());
        assertEquals(List.of("<mailto:leave@example.com>"), header(to("ann@example.com"), "List-Unsubscribe"));
        assertEquals(List.of(), header(to("ann@example.com"), "List-Unsubscribe-Post"));
    }

    @Test
    void aPlainHttpUrlIsRefused() throws Exception {
        Cli.Result r = mailroom("run", job("email,first_name,n\nann@example.com,Ann,1\n").set("list-unsubscribe.url", "http://example.com/u?e=${email?url}")
                .write().toString());
        assertEquals(78, r.exit(), r.all());
        assertTrue(r.err().contains("list-unsubscribe.url: \"http://example.com/u?e=${email?url}\" must be an https:// URL"), r.err());
        assertEquals(0, server.received().size());
    }

    @Test
    void aRenderedValueThatIsNoHttpsUrlSkipsItsRowWithTheReason() throws Exception {
        Path jobFile = job("email,first_name,n,link\n"
                + "ann@example.com,Ann,1,https://example.com/u/1\n"
                + "bob@example.com,Bob,2,https://example.com/u/2 x\n"
                + "cy@example.com,Cy,3,\"https://example.com/u/3\r\nBcc: evil@example.net\"\n"
                + "dee@example.com,Dee,4,http://example.com/u/4\n"
                + "eve@example.com,Eve,5,https://example.com/u/<5>\n"
                + "fay@example.com,Fay,6,https://example.com/u/José\n")
                .set("list-unsubscribe.url", "${link}").write();
        Cli.Result run = mailroom("run", jobFile.toString());
        assertEquals(1, run.exit(), run.all());
        assertTrue(run.err().contains("(bob@example.com): skipped: list-unsubscribe.url: the value rendered for this row holds white space"), run.err());
        assertTrue(run.err().contains("(cy@example.com): skipped: list-unsubscribe.url: the value rendered for this row holds a line break"), run.err());
        assertTrue(run.err().contains("(dee@example.com): skipped: list-unsubscribe.url: \"http://example.com/u/4\" is not an absolute https:// URL"),
                run.err());
        assertTrue(run.err().contains("(eve@example.com): skipped: list-unsubscribe.url: the value rendered for this row holds '<'"), run.err());
        // a header is ASCII: Jakarta Mail would have sent it as an encoded word, which no unsubscribe button reads as a URL
        assertTrue(run.err().contains("(fay@example.com): skipped: list-unsubscribe.url: the value rendered for this row holds 'é', which is not"
                + " ASCII"), run.err());
        assertEquals(1, server.received().size(), "only ann's message");
        assertEquals(List.of("<https://example.com/u/1>"), header(to("ann@example.com"), "List-Unsubscribe"));
        String json = mailroom("report", "test-job", "--format", "json").out();
        assertTrue(json.contains("\"skipped\": 5"), json);
    }

    @Test
    void aKeyNamingNoColumnIsRefusedBeforeAnythingIsPlannedWhileARowsOwnBadValueSkipsThatRow() throws Exception {
        Cli.Result typo = mailroom("run", job("email,first_name,n\nann@example.com,Ann,1\n").set("list-unsubscribe.url", "https://example.com/${mail?url}")
                .write().toString());
        assertEquals(78, typo.exit(), typo.all());
        assertTrue(typo.err().contains("list-unsubscribe.url line 1, column 23: ${mail} is not a column of recipients.csv (columns: email, first_name, n);"
                + " did you mean email? Every row would be skipped for it: fix the job file; nothing was planned or sent"), typo.err());
        assertTrue(mailroom("status").out().contains("no jobs yet"), "nothing stored");

        Cli.Result run = mailroom("run", job("email,first_name,n\nann@example.com,Ann,1\nbob@example.com,Bob,x\n")
                .set("list-unsubscribe.url", "https://example.com/u/${(n?number * 2)?c}").write().toString());
        assertEquals(1, run.exit(), run.all());
        assertTrue(run.err().contains("skipped: list-unsubscribe.url line 1, column"), run.err());
        assertEquals(List.of("<https://example.com/u/2>"), header(to("ann@example.com"), "List-Unsubscribe"));
    }

    @Test
    void aTemplateWithItsOwnListUnsubscribeClashesWithTheKeysButIsSentAsWrittenWithout() throws Exception {
        String template = JobDir.TEMPLATE.replace("Subject:", "List-Unsubscribe: <mailto:own@example.com>\nSubject:");
        JobDir job = job("email,first_name,n\nann@example.com,Ann,1\n").file("message.ftl", template);
        Cli.Result clash = mailroom("run", job.set("list-unsubscribe.url", "https://example.com/u").write().toString());
        assertEquals(65, clash.exit(), clash.all());
        assertTrue(clash.err().contains("message.ftl: the template writes its own List-Unsubscribe header, and list-unsubscribe.* in the job file"),
                clash.err());
        assertEquals(0, server.received().size());

        Cli.Result own = mailroom("run", job.set("list-unsubscribe.url", null).write().toString());
        assertEquals(0, own.exit(), own.all());
        assertEquals(List.of("<mailto:own@example.com>"), header(to("ann@example.com"), "List-Unsubscribe"));
    }
}
