package io.mailroom.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyReaderTest {

    private static ReplyReader reader(String wire) {
        return new ReplyReader(new ByteArrayInputStream(wire.getBytes(StandardCharsets.UTF_8)), Transcript.NONE);
    }

    /** Delivers one byte per read, so every reply is split across reads. */
    private static ReplyReader trickle(String wire) {
        InputStream slow = new ByteArrayInputStream(wire.getBytes(StandardCharsets.UTF_8)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(1, len));
            }
        };
        return new ReplyReader(slow, Transcript.NONE);
    }

    @Test
    void singleLineReplyKeepsCodeEnhancedCodeAndText() throws IOException {
        SmtpReply r = reader("250 2.0.0 Ok: queued as 4XyZ\r\n").read();
        assertEquals(250, r.code());
        assertEquals("2.0.0", r.enhanced());
        assertEquals("Ok: queued as 4XyZ", r.text());
    }

    @Test
    void multiLineReplyIsOneValueWithEveryLine() throws IOException {
        SmtpReply r = reader("250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 AUTH PLAIN LOGIN\r\n").read();
        assertEquals(List.of("mx.example.com", "PIPELINING", "SIZE 10240000", "AUTH PLAIN LOGIN"), r.lines());
        assertNull(r.enhanced());
    }

    @Test
    void replySplitAcrossReadsIsReassembled() throws IOException {
        ReplyReader in = trickle("550-5.1.1 <bob@example.com>:\r\n550 5.1.1 Recipient address rejected\r\n221 Bye\r\n");
        SmtpReply first = in.read();
        assertEquals(550, first.code());
        assertEquals("5.1.1", first.enhanced());
        assertEquals(List.of("<bob@example.com>:", "Recipient address rejected"), first.lines());
        assertEquals(221, in.read().code());
    }

    @Test
    void enhancedCodeOfAnotherClassBecomesClassZeroZero() throws IOException {
        assertEquals("2.0.0", reader("250 5.1.1 confused server\r\n").read().enhanced());
    }

    @Test
    void bareCodeWithoutTextIsValid() throws IOException {
        SmtpReply r = reader("354\r\n").read();
        assertEquals(354, r.code());
        assertEquals("", r.text());
    }

    @Test
    void bareLineFeedIsToleratedOnInput() throws IOException {
        assertEquals(220, reader("220 ready\n").read().code());
    }

    @Test
    void malformedLinesAreProtocolErrorsQuotingTheLine() {
        for (String bad : List.of("25 short\r\n", "2x0 letters\r\n", "250_underscore\r\n", "hello\r\n", "999 out of range\r\n", "\r\n")) {
            SmtpProtocolException e = assertThrows(SmtpProtocolException.class, () -> reader(bad).read(), bad);
            assertTrue(e.getMessage().contains("\""), e.getMessage());
        }
    }

    @Test
    void multiLineReplyThatChangesItsCodeIsRejected() {
        assertThrows(SmtpProtocolException.class, () -> reader("250-first\r\n550 second\r\n").read());
    }

    @Test
    void oversizedLineIsRejectedInsteadOfBuffered() {
        String huge = "250 " + "x".repeat(ReplyReader.MAX_LINE_OCTETS + 10) + "\r\n";
        assertThrows(SmtpProtocolException.class, () -> reader(huge).read());
    }

    @Test
    void endlessMultiLineReplyIsCut() {
        String endless = "250-x\r\n".repeat(ReplyReader.MAX_LINES + 5) + "250 end\r\n";
        assertThrows(SmtpProtocolException.class, () -> reader(endless).read());
    }

    @Test
    void closedConnectionIsAnEofNotAReply() {
        assertThrows(EOFException.class, () -> reader("250-half\r\n").read());
        assertThrows(EOFException.class, () -> reader("").read());
    }

    @Test
    void bytesSentAheadAreVisibleAndCanBeDiscarded() throws IOException {
        ReplyReader in = reader("220 go ahead\r\n250 injected\r\n");
        in.read();
        assertTrue(in.hasBufferedInput());
        assertTrue(in.discardBuffered() > 0);
        assertThrows(EOFException.class, in::read);
    }
}
