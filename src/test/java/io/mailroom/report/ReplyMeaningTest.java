package io.mailroom.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailroom.store.StoredReply;
import org.junit.jupiter.api.Test;

/** A reply's plain meaning: its enhanced code's (RFC 3463), else its basic code's (RFC 5321), else none. */
class ReplyMeaningTest {
    @Test
    void anEnhancedCodeSaysWhatItMeansWhateverTheServerWrote() {
        assertEquals("mailbox does not exist", ReplyMeaning.of(new StoredReply(550, "5.1.1", "no such user here")));
        assertEquals("mailbox full", ReplyMeaning.of(new StoredReply(452, "4.2.2", "over quota")));
        assertEquals("delivery not authorized, message refused", ReplyMeaning.of(new StoredReply(554, "5.7.1", "spam")));
        assertEquals("accepted", ReplyMeaning.of(new StoredReply(250, "2.0.0", "Ok: queued")));
    }

    @Test
    void anUnlistedDetailFallsBackToItsSubjectAndAMissingEnhancedCodeToTheBasicCode() {
        assertEquals("other address status", ReplyMeaning.of(new StoredReply(550, "5.1.99", "?")));
        assertEquals("mailbox unavailable (not found, or no access)", ReplyMeaning.of(new StoredReply(550, null, "no")));
        assertEquals("local error in processing", ReplyMeaning.of(new StoredReply(451, "9.9.9", "?")), "a code that is no RFC 3463 code");
        assertEquals("", ReplyMeaning.of(new StoredReply(599, null, "?")));
        assertEquals("", ReplyMeaning.of(null));
    }
}
