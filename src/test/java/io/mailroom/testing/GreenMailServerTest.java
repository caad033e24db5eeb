package io.mailroom.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The test server itself: a build that passes prints nothing of what the tests do to it on purpose. */
class GreenMailServerTest {
    interface Client {
        void talk(Socket s, BufferedReader in, OutputStream out) throws IOException;
    }

    @Test
    void aClientThatSpeaksPlainTextInsteadOfTlsLeavesNoStackTraceOnStandardError() throws Exception {
        assertEquals("", printedWhile((server) -> server.smtpsPort(), (s, in, out) -> send(out, "EHLO plain-text-where-tls-is-due")));
    }

    @Test
    void aClientThatHangsUpInTheMiddleOfAMessageLeavesNoStackTraceOnStandardError() throws Exception {
        assertEquals("", printedWhile((server) -> server.smtpPort(), (s, in, out) -> {
            assertTrue(reply(in).startsWith("220"));
            send(out, "EHLO client.example");
            assertTrue(reply(in).startsWith("250"));
            send(out, "AUTH PLAIN " + Base64.getEncoder().encodeToString(("\0" + GreenMailServer.USER + "\0" + GreenMailServer.PASSWORD)
                    .getBytes(StandardCharsets.UTF_8)));
            assertTrue(reply(in).startsWith("235"));
            send(out, "MAIL FROM:<team@example.com>");
            assertTrue(reply(in).startsWith("250"));
            send(out, "RCPT TO:<ann@example.com>");
            assertTrue(reply(in).startsWith("250"));
            send(out, "DATA");
            assertTrue(reply(in).startsWith("354"));
            send(out, "Subject: cut short\r\n\r\nthe process sending this was killed here");
            s.shutdownOutput(); // as a killed process's socket: the message ends without its final "."
        }));
    }

    /** What GreenMail prints on standard error while {@code client} talks to it on the port {@code port} picks, until the connection has ended. */
    private static String printedWhile(java.util.function.ToIntFunction<GreenMailServer> port, Client client) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (GreenMailServer server = new GreenMailServer()) {
            System.setErr(new PrintStream(printed, true, StandardCharsets.UTF_8));
            String connection;
            try (Socket s = new Socket("127.0.0.1", port.applyAsInt(server))) {
                s.setSoTimeout(60_000); // only against a hang: the server ends each of these connections at once
                connection = ":" + s.getLocalPort();
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                client.talk(s, in, s.getOutputStream());
                try {
                    while (in.read() >= 0) { }
                } catch (IOException ended) {
                    // the server reset it, as it should
                }
            }
            // the connection's thread (GreenMail names it server<-client:port) has failed; let it finish
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().contains("<-") && t.getName().endsWith(connection)) t.join();
            }
        } finally {
            System.setErr(original);
        }
        return printed.toString(StandardCharsets.UTF_8);
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** A whole reply, its last line. */
    private static String reply(BufferedReader in) throws IOException {
        String line;
        do {
            line = in.readLine();
        } while (line != null && line.length() > 3 && line.charAt(3) == '-');
        return String.valueOf(line);
    }
}
