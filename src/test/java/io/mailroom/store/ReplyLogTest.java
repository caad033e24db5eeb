package io.mailroom.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.smtp.Exchange;
import io.mailroom.smtp.SmtpReply;
import io.mailroom.smtp.Step;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyLogTest {
    private static Exchange x(Step step, String argument, int code, String enhanced, String... lines) {
        return new Exchange(step, argument, new SmtpReply(code, enhanced, List.of(lines)));
    }

    private static List<Exchange> roundTrip(List<Exchange> exchanges) {
        ReplyLog log = ReplyLog.decode(ReplyLog.encode(exchanges));
        assertEquals(0, log.omitted());
        return log.exchanges();
    }

    @Test
    void aTransactionReadsAsOneLinePerReply() {
        List<Exchange> t = List.of(x(Step.MAIL, "team@example.com", 250, "2.1.0", "Ok"), x(Step.RCPT, "a@example.com", 550, "5.1.1", "no such user"),
                x(Step.RCPT, "b@example.com", 250, "2.1.5", "Ok"), x(Step.DATA, null, 354, null, "End data with <CR><LF>.<CR><LF>"),
                x(Step.END_OF_DATA, null, 250, "2.0.0", "Ok: queued as 4F2"));
        String column = ReplyLog.encode(t);
        assertEquals("""
                MAIL <team@example.com> 250 2.1.0 Ok
                RCPT <a@example.com> 550 5.1.1 no such user
                RCPT <b@example.com> 250 2.1.5 Ok
                DATA - 354 - End data with <CR><LF>.<CR><LF>
                END_OF_DATA - 250 2.0.0 Ok: queued as 4F2""", column);
        assertEquals(t, ReplyLog.decode(column).exchanges());
    }

    @Test
    void noRepliesIsTheEmptyText() {
        assertEquals("", ReplyLog.encode(List.of()));
        assertEquals(new ReplyLog(List.of(), 0), ReplyLog.decode(""));
    }

    @Test
    void aMultiLineReplyStaysOneLineAndComesBackLineByLine() {
        Exchange ehloLike = x(Step.RCPT, "a@example.com", 452, "4.5.3", "Too many recipients", "", "try again later ");
        String column = ReplyLog.encode(List.of(ehloLike));
        assertEquals("RCPT <a@example.com> 452 4.5.3 Too many recipients\\n\\ntry again later ", column);
        assertEquals(List.of(ehloLike), roundTrip(List.of(ehloLike)));
    }

    @Test
    void hostileTextsArgumentsAndCodesComeBackExactly() {
        List<Exchange> hostile = List.of(
                x(Step.MAIL, "", 250, "2.1.0", ""),
                x(Step.RCPT, "we ird>\\n <a@b> -", 550, null, "a\rb\r", "c\td\\e\\nf\\", " leading and trailing  ", "\\"),
                x(Step.RCPT, "-", 250, "-", "- 250 2.1.5 Ok"),
                x(Step.RCPT, "ünï@例え.jp", 250, "2 1-5", "Grüße 😀 \u2028 \u202e \u0000 \u001b[2J"),
                x(Step.DATA, null, 354, "", "RCPT <x@y> 250 2.1.5 Ok", "MAIL <forged> 250 - injected"),
                x(Step.END_OF_DATA, null, 599, "5.0.0", "... 3 more not stored"));
        String column = ReplyLog.encode(hostile);
        assertEquals(hostile.size(), column.split("\n", -1).length, "one line per reply, whatever the texts hold: " + column);
        assertFalse(column.contains("\r") || column.contains("\t"), "a person reading the table sees no raw CR or tab");
        assertEquals(hostile, roundTrip(hostile));
    }

    @Test
    void aLongTextIsClippedAsEveryStoredServerTextIs() {
        String long5000 = "x".repeat(5000);
        Exchange clipped = ReplyLog.decode(ReplyLog.encode(List.of(x(Step.RCPT, "a@example.com", 550, null, long5000)))).exchanges().get(0);
        assertEquals(Sql.clip(long5000), clipped.reply().text());
        assertEquals(4000, clipped.reply().text().length());
    }

    @Test
    void repliesPastTheColumnSizeAreCountedNotStored() {
        List<Exchange> many = new ArrayList<>();
        many.add(x(Step.MAIL, "team@example.com", 250, "2.1.0", "Ok"));
        many.addAll(Collections.nCopies(400, x(Step.RCPT, "someone@example.com", 452, "4.5.3", "y".repeat(3000))));
        String column = ReplyLog.encode(many);
        assertTrue(column.length() <= ReplyLog.MAX_CHARS, "fits the column: " + column.length());
        ReplyLog log = ReplyLog.decode(column);
        assertTrue(log.omitted() > 0 && log.exchanges().size() + log.omitted() == many.size(), log.exchanges().size() + " + " + log.omitted());
        assertEquals(many.subList(0, log.exchanges().size()), log.exchanges());
        assertTrue(column.endsWith("\n... " + log.omitted() + " more not stored"), column.substring(column.length() - 60));
    }

    @Test
    void aTextThatIsNotAReplyLogIsRefusedQuotingTheLine() {
        for (String damaged : List.of("MAIL <a@example.com> 250", "SEND - 250 - Ok", "MAIL <a@example.com 250 - Ok", "MAIL - 25x - Ok",
                "MAIL - 250 - Ok \\", "MAIL - 150 - Ok", "MAIL - 250 2.1.0 Ok\n")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReplyLog.decode(damaged), damaged);
            assertTrue(e.getMessage().startsWith("not a stored reply"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> ReplyLog.decode(null), "null is an attempt from before V9: read attempt_replies");
    }
}
