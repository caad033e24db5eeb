package io.mailroom.cli;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.UnsupportedEncodingException;
import java.util.Properties;

/**
 * The benchmark's plain peer, run in a JVM of its own: what a few lines of Jakarta Mail do with the same
 * messages as the benchmark's job, one {@code Transport.sendMessage} after another over one session,
 * nothing rendered from a file and nothing recorded. Arguments: PORT (on 127.0.0.1) and the number of
 * messages. A failure ends the process with Jakarta's exception (exit 1).
 */
final class JakartaLoop {
    private JakartaLoop() { }

    public static void main(String[] args) throws MessagingException, UnsupportedEncodingException {
        send(Integer.parseInt(args[0]), Integer.parseInt(args[1]));
    }

    static void send(int port, int n) throws MessagingException, UnsupportedEncodingException {
        Properties p = new Properties();
        p.setProperty("mail.smtp.host", "127.0.0.1");
        p.setProperty("mail.smtp.port", String.valueOf(port));
        Session session = Session.getInstance(p);
        try (Transport t = session.getTransport("smtp")) {
            t.connect();
            for (int i = 0; i < n; i++) {
                MimeMessage m = new MimeMessage(session);
                m.setFrom(new InternetAddress("team@example.com", "Team"));
                m.setRecipient(Message.RecipientType.TO, new InternetAddress("user" + i + "@example.com", "Name" + i));
                m.setSubject("Hello Name" + i, "UTF-8");
                m.setText("Dear Name" + i + ",\n\nyour balance is " + i * 3 + " EUR.\n\nRegards\n", "UTF-8");
                m.saveChanges();
                t.sendMessage(m, m.getAllRecipients());
            }
        }
    }
}
