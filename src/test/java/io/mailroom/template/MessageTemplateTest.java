package io.mailroom.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageTemplateTest {

    private static MessageTemplate compile(String text) throws TemplateSyntaxException {
        return MessageTemplate.compile("t.ftl", text, null, null);
    }

    @Test
    void headerBlockAndBodySplitAtTheFirstBlankLine() throws Exception {
        RenderedMessage m = compile("From: a@x.com\nTo: ${email}\nSubject: Hi ${name}\n\nHello ${name}\n\nBye\n")
                .render(Map.of("email", "b@x.com", "name", "Bob"));
        assertEquals(List.of(new Header("From", "a@x.com"), new Header("To", "b@x.com"), new Header("Subject", "Hi Bob")), m.headers());
        assertEquals("Hello Bob\n\nBye\n", m.text());
        assertNull(m.html());
    }

    @Test
    void directiveInTheHeaderBlockThatRendersNothingLeavesTheHeaderOut() throws Exception {
        MessageTemplate t = compile("From: a@x.com\nTo: b@x.com\n<#if cc?has_content>Cc: ${cc}</#if>\nSubject: s\n\nbody\n");
        assertEquals(List.of("From", "To", "Subject"), t.render(Map.of("cc", "")).headers().stream().map(Header::name).toList());
        assertEquals(List.of("c@x.com"), t.render(Map.of("cc", "c@x.com")).values("Cc"));
    }

    @Test
    void undefinedVariableFailsTheRowWithItsLine() throws Exception {
        RowRenderException e = assertThrows(RowRenderException.class,
                () -> compile("From: a@x.com\nTo: b@x.com\n\nHello ${frist_name}\n").render(Map.of("first_name", "Ann")));
        assertTrue(e.getMessage().contains("t.ftl line 4") && e.getMessage().contains("frist_name"), e.getMessage());
    }

    @Test
    void syntaxErrorNamesFileLineAndColumn() {
        TemplateSyntaxException e = assertThrows(TemplateSyntaxException.class,
                () -> compile("From: a@x.com\n\nHello\n<#if x>\nnever closed\n"));
        assertTrue(e.getMessage().startsWith("t.ftl line "), e.getMessage());
        assertTrue(e.getMessage().contains("column"), e.getMessage());
    }

    @Test
    void aSyntaxErrorSaysWhatWasExpectedInFullOnOneLine() {
        String message = assertThrows(TemplateSyntaxException.class, () -> compile("From: a@x.com\nTo: b@x.com\n\nHello ${a b}")).getMessage();
        assertEquals("t.ftl line 4, column 11: Encountered \"b\", but was expecting one of these patterns: \".\", \"..\", \"..<\", \"..*\", \"?\","
                + " \"??\", \"!\", \"[\", \"(\", \"}\"", message);
    }

    @Test
    void anUnknownBuiltInIsOneLineWithoutTheListOfEveryBuiltIn() {
        String message = assertThrows(TemplateSyntaxException.class, () -> compile("From: a@x.com\nTo: b@x.com\n\n${name?upper}\n")).getMessage();
        assertTrue(message.startsWith("t.ftl line 4, column 8: Unknown built-in: \"upper\".") && message.endsWith("you're using FreeMarker 2.3.34."),
                message);
    }

    @Test
    void aBlankLineEndingTheHeaderBlockInsideAnInterpolationIsNamed() {
        String message = assertThrows(TemplateSyntaxException.class, () -> compile("From: a@x.com\nTo: ${email\n\n}\nbody\n")).getMessage();
        assertTrue(message.startsWith("t.ftl line 3: the blank line that ends the header block is inside a ${...}"), message);
    }

    @Test
    void aVariableThatIsNoColumnIsTheTemplatesFaultAndOneThatIsIsNot() throws Exception {
        MessageTemplate t = compile("From: a@x.com\nTo: ${email}\n\nHello ${frist_name}\n");
        TemplateFault f = assertThrows(TemplateFault.class, () -> t.render(Map.of("email", "b@x.com", "first_name", "Ann")));
        assertEquals("frist_name", f.variable());
        assertEquals("t.ftl line 4, column 9", f.where());
        RowRenderException split = assertThrows(RowRenderException.class,
                () -> compile("From: a@x.com\nTo: ${email}\n\n${name?split(\" \")[1]}\n").render(Map.of("email", "b@x.com", "name", "Ann")));
        assertFalse(split instanceof TemplateFault, split.getMessage());
    }

    @Test
    void aHeaderLineFailsAsTheTemplatesFaultOnlyWhenNoValueCouldHaveMadeItRight() throws Exception {
        Map<String, String> row = Map.of("email", "b@x.com", "extra", "no colon", "vip", "no");
        for (String line : List.of("Subject Hi", "Dear ${email},", "Subject: a\u0001b", "Date: ${email}", "From: c@x.com")) {
            MessageTemplate t = compile("From: a@x.com\nTo: ${email}\n" + line + "\n\nbody\n");
            assertThrows(TemplateFault.class, () -> t.render(row), line);
        }
        for (String line : List.of("${extra}", "<#if vip == \"no\">Subject Hi</#if>", "<#if vip == \"no\">From: c@x.com</#if>", "X${extra}")) {
            MessageTemplate t = compile("From: a@x.com\nTo: ${email}\n" + line + "\n\nbody\n");
            RowRenderException e = assertThrows(RowRenderException.class, () -> t.render(row), line);
            assertFalse(e instanceof TemplateFault, line + ": " + e.getMessage());
        }
    }

    @Test
    void aBlankLineThatADirectiveHidesIsTheTemplatesFault() throws Exception {
        TemplateFault f = assertThrows(TemplateFault.class, () -> compile("From: a@x.com\nTo: b@x.com\n<#if x == \"y\">\n\n</#if>body\n")
                .render(Map.of("x", "z")));
        assertTrue(f.getMessage().startsWith("t.ftl line 4: the blank line that ends the header block is inside a directive"), f.getMessage());
    }

    @Test
    void templateWithoutBlankLineIsRefused() {
        assertThrows(TemplateSyntaxException.class, () -> compile("From: a@x.com\nTo: b@x.com"));
    }

    @Test
    void lineBreakFromDataInTheHeaderBlockFailsTheRowNamingTheColumn() throws Exception {
        MessageTemplate t = compile("From: a@x.com\nTo: ${email}\nSubject: ${subject}\n\n${subject}\n");
        for (String evil : List.of("x\r\nBcc: y@z.com", "x\nBcc: y@z.com", "x\rBcc: y@z.com", "x\u2028Bcc: y@z.com", "x\u0085Bcc: y@z.com")) {
            RowRenderException e = assertThrows(RowRenderException.class, () -> t.render(Map.of("email", "b@x.com", "subject", evil)));
            assertTrue(e.getMessage().contains("header injection") && e.getMessage().contains("\"subject\""), e.getMessage());
        }
    }

    @Test
    void lineBreakFromDataInTheBodyIsJustText() throws Exception {
        RenderedMessage m = compile("From: a@x.com\nTo: b@x.com\n\n${note}\n").render(Map.of("note", "one\ntwo"));
        assertEquals("one\ntwo\n", m.text());
    }

    @Test
    void templatesCannotReachJavaClasses() throws Exception {
        Map<String, String> row = Map.of("x", "1");
        assertThrows(RowRenderException.class,
                () -> compile("From: a@x.com\n\n<#assign ex=\"freemarker.template.utility.Execute\"?new()>${ex(\"id\")}\n").render(row));
        assertThrows(RowRenderException.class, () -> compile("From: a@x.com\n\n${x?api.getClass()}\n").render(row));
        assertThrows(RowRenderException.class, () -> compile("From: a@x.com\n\n<#include \"/etc/passwd\">\n").render(row));
    }

    @Test
    void htmlAlternativeEscapesData() throws Exception {
        MessageTemplate t = MessageTemplate.compile("t.ftl", "From: a@x.com\n\ntext\n", "t.html.ftl", "<p>${name}</p>");
        assertEquals("<p>&lt;script&gt;x&amp;y</p>", t.render(Map.of("name", "<script>x&y")).html());
    }

    @Test
    void headerMailroomWritesItselfCannotBeSetByTheTemplate() {
        assertThrows(RowRenderException.class, () -> compile("From: a@x.com\nMessage-ID: <x@y>\n\nb\n").render(Map.of()));
    }

    @Test
    void commasFromDataAreMarkedInHeadersButReadBackUnchanged() throws Exception {
        RenderedMessage m = compile("From: a@x.com\nTo: ${name} <b@x.com>\nSubject: ${name}\n\n${name}\n").render(Map.of("name", "Lee, \"Ann\""));
        assertTrue(Header.hasDataMarks(m.rawValues("To").get(0)));
        assertEquals("Lee, \"Ann\" <b@x.com>", m.values("To").get(0));
        assertEquals("Lee, \"Ann\"", m.values("Subject").get(0));
        assertEquals("Lee, \"Ann\"\n", m.text());
    }

    private static MessageTemplate limited(String text, long maxChars, Duration maxTime) throws TemplateSyntaxException {
        return MessageTemplate.compile("t.ftl", text, null, null, new RenderLimits(maxChars, maxTime));
    }

    @Test
    void aLoopThatRunsAwayOnARowsValueEndsAtTheTimeLimitAndTheNextRowStillRenders() throws Exception {
        MessageTemplate t = limited("From: a@x.com\nTo: b@x.com\n\n<#list 1..n?number as i></#list>done\n", 1 << 20, Duration.ofMillis(200));
        RowRenderException e = assertThrows(RowRenderException.class, () -> t.render(Map.of("n", "1000000000000")));
        assertTrue(e.getMessage().contains("longer than 200 ms"), e.getMessage());
        assertEquals("done\n", t.render(Map.of("n", "3")).text());
        assertTrue(!Thread.currentThread().isInterrupted(), "the watchdog's interrupt must not outlive the render");
    }

    @Test
    void aLoopThatWritesWithoutEndStopsAtTheOutputLimit() throws Exception {
        MessageTemplate t = limited("From: a@x.com\nTo: b@x.com\n\n<#list 1..n?number as i>${i} </#list>\n", 1 << 20, Duration.ofMinutes(1));
        RowRenderException e = assertThrows(RowRenderException.class, () -> t.render(Map.of("n", "1000000000")));
        assertTrue(e.getMessage().contains("over 1048576 characters"), e.getMessage());
    }

    @Test
    void aMacroThatCallsItselfWithoutEndFailsTheRowNotTheProcess() throws Exception {
        MessageTemplate t = compile("From: a@x.com\nTo: b@x.com\n\n<#macro deeper n><@deeper n + 1/></#macro><@deeper 1/>\n");
        RowRenderException e = assertThrows(RowRenderException.class, () -> t.render(Map.of()));
        assertTrue(e.getMessage().contains("recursed too deeply"), e.getMessage());
        assertEquals("x\n", compile("From: a@x.com\nTo: b@x.com\n\nx\n").render(Map.of()).text());
    }

    @Test
    void aRowThatExhaustsMemoryFailsThatRowAndTheNextStillRenders() throws Exception {
        MessageTemplate t = compile("From: a@x.com\nTo: b@x.com\n\n${\"x\"?left_pad(width?number)}\n");
        RowRenderException e = assertThrows(RowRenderException.class, () -> t.render(Map.of("width", "2147483647")));
        assertTrue(e.getMessage().contains("ran out of memory"), e.getMessage());
        assertEquals("  x\n", t.render(Map.of("width", "3")).text());
    }

    @Test
    void builtInsThatRunTextAsTemplateCodeAreRefused() {
        for (String use : List.of("<@code?interpret/>", "${expr?eval}", "${expr ? eval}")) {
            TemplateSyntaxException e = assertThrows(TemplateSyntaxException.class, () -> compile("From: a@x.com\nTo: b@x.com\n\n" + use + "\n"));
            assertTrue(e.getMessage().contains("is not allowed: it would run text (a CSV value) as template code"), e.getMessage());
        }
    }

    private static final String MARKDOWN = "From: a@x.com\nTo: b@x.com\nContent-Type: text/markdown\nSubject: s\n\n";

    @Test
    void aMarkdownBodyIsTheTextAsWrittenAndCommonMarksHtml() throws Exception {
        RenderedMessage m = compile(MARKDOWN + "# Hello ${name}\n\nThis is **important**: [read it](https://example.com/${id}).\n\n- one\n- two\n")
                .render(Map.of("name", "Ann", "id", "42"));
        assertEquals("# Hello Ann\n\nThis is **important**: [read it](https://example.com/42).\n\n- one\n- two\n", m.text());
        assertTrue(m.html().startsWith("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">"), m.html());
        assertTrue(m.html().contains("<h1>Hello Ann</h1>\n<p>This is <strong>important</strong>: <a rel=\"nofollow\" href=\"https://example.com/42\">read it</a>.</p>\n"
                + "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"), m.html());
        assertEquals(List.of("From", "To", "Subject"), m.headers().stream().map(Header::name).toList(), "the Content-Type line is no header");
    }

    @Test
    void valuesInAMarkdownBodyAreLiteralTextInItsHtmlWhateverMarkdownOrHtmlTheyHold() throws Exception {
        String hostile = "<script>alert(1)</script> [x](javascript:alert(1)) **not bold** &amp; <b>b</b>\n# no heading\n\n- no list";
        RenderedMessage m = compile(MARKDOWN + "${v}\n\n*${v}*\n\n`${v}`\n\n[link](${url} \"${v}\")\n\n![${v}](${url})\n\n<b>${v}</b>\n")
                .render(Map.of("v", hostile, "url", "javascript:alert(1)"));
        String html = m.html();
        String escaped = "&lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:alert(1)) **not bold** &amp;amp; &lt;b&gt;b&lt;/b&gt;\n# no heading\n\n- no list";
        assertTrue(html.contains("<p>" + escaped + "</p>"), html);
        assertTrue(html.contains("<p><em>" + escaped + "</em></p>"), html);
        assertTrue(html.contains("<p><code>" + escaped + "</code></p>"), html);
        assertFalse(html.contains("<script") || html.contains("<strong>") || html.contains("<h1>") || html.contains("<li>") || html.contains("<b>"), html);
        assertFalse(html.contains("javascript:alert(1)\""), "no javascript: URL from data, as a link or an image: " + html);
        assertTrue(html.contains("&lt;b&gt;" + escaped + "&lt;/b&gt;"), "the template's own raw HTML is shown as text: " + html);
        assertTrue(m.text().startsWith(hostile + "\n\n*" + hostile + "*\n\n`" + hostile + "`\n"), "the text part as written: " + m.text());
    }

    @Test
    void aValueCapturedInTheHeaderBlockStaysLiteralTextWhenTheMarkdownBodyWritesIt() throws Exception {
        RenderedMessage m = compile("From: a@x.com\nTo: ${name} <b@x.com>\nContent-Type: text/markdown\n<#assign greeting>Hello ${name}</#assign>"
                + "<#assign escaped = name?esc>Subject: ${greeting}\n\n${greeting}\n\n${escaped}\n").render(Map.of("name", "**Ann** <i>"));
        assertEquals(List.of("**Ann** <i> <b@x.com>"), m.values("To"));
        assertEquals(List.of("Hello **Ann** <i>"), m.values("Subject"));
        assertEquals("Hello **Ann** <i>\n\n**Ann** <i>\n", m.text());
        assertTrue(m.html().contains("<p>Hello **Ann** &lt;i&gt;</p>\n<p>**Ann** &lt;i&gt;</p>"), m.html());

        MessageTemplate named = compile("From: a@x.com\nTo: ${to}\nContent-Type: text/markdown\n${h}: v\n\nx\n");
        assertEquals(List.of("v"), named.render(Map.of("to", "b@x.com", "h", "X-Tag")).values("X-Tag"), "a header's name from data, as in any template");
        RowRenderException e = assertThrows(RowRenderException.class, () -> named.render(Map.of("to", "b@x.com", "h", "X Tag")));
        assertFalse(e instanceof TemplateFault, "the row's value made the line bad, not the template: " + e.getMessage());
    }

    @Test
    void aMarkdownBodyWithTemplateHtmlTooIsRefusedAsTwoHtmlBodies() {
        TemplateSyntaxException e = assertThrows(TemplateSyntaxException.class, () -> MessageTemplate.compile("t.ftl", MARKDOWN + "x\n", "t.html", "<p>x</p>"));
        assertTrue(e.getMessage().startsWith("t.ftl: its header block says Content-Type: text/markdown") && e.getMessage().contains("(t.html): two HTML bodies"),
                e.getMessage());
    }

    @Test
    void anyOtherContentTypeIsStillRefusedAndTheReasonNamesTheOneAllowed() throws Exception {
        for (String line : List.of("Content-Type: text/html", "Content-Type: ${type}", "<#if true>Content-Type: text/markdown</#if>", "Content-Type: text/markdown; charset=x")) {
            RowRenderException e = assertThrows(RowRenderException.class,
                    () -> compile("From: a@x.com\nTo: b@x.com\n" + line + "\n\nx\n").render(Map.of("type", "text/markdown")), line);
            assertTrue(e.getMessage().contains("header Content-Type is written by mailroom") && e.getMessage().contains("text/markdown, optionally with"),
                    e.getMessage());
        }
    }

    @Test
    void rfc7763sCharsetAndVariantParametersSayWhatMailroomDoesAndAreTakenToo() throws Exception {
        for (String line : List.of("Content-Type: text/markdown; charset=UTF-8", "content-type: TEXT/MARKDOWN;charset=\"utf-8\"; variant=CommonMark")) {
            RenderedMessage m = compile("From: a@x.com\nTo: b@x.com\n" + line + "\n\n# Hi\n").render(Map.of());
            assertTrue(m.html().contains("<h1>Hi</h1>"), line + ": " + m.html());
            assertTrue(m.values("Content-Type").isEmpty(), "the line says what the body is; it is not sent: " + m.headers());
        }
    }

    @Test
    void aMarkdownBodyThatInterpolatesWithoutEndStopsAtTheOutputLimit() throws Exception {
        MessageTemplate t = limited(MARKDOWN + "<#list 1..n?number as i>${v + i}</#list>\n", 1 << 20, Duration.ofMinutes(1));
        RowRenderException e = assertThrows(RowRenderException.class, () -> t.render(Map.of("n", "1000000", "v", "x".repeat(1000))));
        assertTrue(e.getMessage().contains("over 1048576 characters"), e.getMessage());
    }
}
