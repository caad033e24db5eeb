package io.mailroom.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The test server itself: a build that passes prints nothing of what the tests do to it on purpose. */
class GreenMailServerTest {

    @Test
    void aClientThatHangsUpInsteadOfTlsLeavesNoStackTraceOnStandardError() throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (GreenMailServer server = new GreenMailServer()) {
            System.setErr(new PrintStream(printed, true, StandardCharsets.UTF_8));
            String connection = null;
            try (Socket s = new Socket("127.0.0.1", server.smtpsPort())) {
                s.setSoTimeout(60_000); // only against a hang: the server ends the connection at once
                s.getOutputStream().write("EHLO plain-text-where-tls-is-due\r\n".getBytes(StandardCharsets.US_ASCII));
                connection = ":" + s.getLocalPort();
                try {
                    while (s.getInputStream().read() >= 0) { }
                } catch (IOException ended) {
                    // the server reset it: the handshake failed, as it should
                }
            }
            // the connection's thread (GreenMail names it server<-client:port) has failed; let it finish
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().contains("<-") && t.getName().endsWith(connection)) t.join();
            }
        } finally {
            System.setErr(original);
        }
        assertEquals("", printed.toString(StandardCharsets.UTF_8));
    }
}
