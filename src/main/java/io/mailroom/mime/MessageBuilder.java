package io.mailroom.mime;

import io.mailroom.template.Header;
import io.mailroom.template.RenderedMessage;
import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Turns a rendered row into wire-ready bytes and an envelope, choosing the simplest structure the row
 * needs: text/plain; multipart/alternative (text + HTML); multipart/mixed when there are attachments. Files
 * the HTML shows inline ({@code src="cid:…"}) go with it in a multipart/related (RFC 2387), one part each.
 * Text is UTF-8 with the transfer encoding Jakarta Mail picks for the content; display names and
 * subjects are RFC 2047 encoded, attachment names RFC 2231. Bcc goes to the envelope only. Date comes
 * from the injected clock; the Message-ID is the caller's (assigned once per recipient, so a resend
 * carries the same one).
 */
public final class MessageBuilder {
    private static final int LONGEST_LINE = 998;
    /** Ten times what RFC 5321 §4.5.3.1.8 makes every server take; a row is one person's message, not a list. */
    private static final int MOST_RECIPIENTS = 1000;
    private static final String STREAM_PROVIDER = "jakarta.mail.util.StreamProvider";

    static {
        // Jakarta Mail looks its StreamProvider up for every body part it writes, through the ServiceLoader
        // unless this property names the class: a third of the cost of building a message.
        if (System.getProperty(STREAM_PROVIDER) == null) System.setProperty(STREAM_PROVIDER, "org.eclipse.angus.mail.util.MailStreamProvider");
    }

    private static final Session SESSION = Session.getInstance(mimeProperties(false));
    /** For messages with UTF-8 addresses: headers in UTF-8 (RFC 6532); sent only with SMTPUTF8. */
    private static final Session SESSION_UTF8 = Session.getInstance(mimeProperties(true));

    private final Clock clock;

    public MessageBuilder(Clock clock) {
        this.clock = clock;
    }

    /** The From address of a rendered row, validated: used to pick the Message-ID domain. */
    public static String fromAddress(RenderedMessage m) throws MessageException {
        List<String> from = m.rawValues("From");
        if (from.isEmpty()) throw new MessageException("From: missing; the template must set a From header");
        return AddressRules.parseSingle("From", from.get(0)).getAddress();
    }

    public static String newMessageId(String fromAddress) {
        String domain = fromAddress.substring(fromAddress.lastIndexOf('@') + 1);
        return "<" + java.util.UUID.randomUUID() + "@" + domain + ">";
    }

    /** A row's addresses, each header parsed once: visible To and Cc, Bcc (envelope only), Reply-To. */
    private record Addresses(InternetAddress from, Map<Message.RecipientType, List<InternetAddress>> visible, List<InternetAddress> bcc,
                             List<InternetAddress> replyTo) {

        static Addresses of(RenderedMessage m) throws MessageException {
            InternetAddress from = AddressRules.parseSingle("From", first(m, "From"));
            Map<Message.RecipientType, List<InternetAddress>> visible = new LinkedHashMap<>();
            List<InternetAddress> bcc = new ArrayList<>();
            List<InternetAddress> replyTo = List.of();
            for (Header h : m.headers()) {
                switch (h.name()) {
                    case "To" -> visible.put(Message.RecipientType.TO, AddressRules.parseList("To", h.raw()));
                    case "Cc" -> visible.put(Message.RecipientType.CC, AddressRules.parseList("Cc", h.raw()));
                    case "Bcc" -> bcc.addAll(AddressRules.parseList("Bcc", h.raw()));
                    case "Reply-To" -> replyTo = AddressRules.parseList("Reply-To", h.raw());
                    default -> { }
                }
            }
            return new Addresses(from, visible, bcc, replyTo);
        }

        /** The envelope: To and Cc in header order, then Bcc, each address once. */
        Envelope envelope(String envelopeFrom) throws MessageException {
            Map<String, Envelope.Entry> unique = new LinkedHashMap<>();
            visible.forEach((type, list) -> list.forEach(a -> unique.putIfAbsent(a.getAddress().toLowerCase(Locale.ROOT),
                    new Envelope.Entry(type == Message.RecipientType.TO ? "to" : "cc", a.getAddress()))));
            bcc.forEach(a -> unique.putIfAbsent(a.getAddress().toLowerCase(Locale.ROOT), new Envelope.Entry("bcc", a.getAddress())));
            if (unique.isEmpty()) throw new MessageException("no recipient: the template renders no To, Cc or Bcc address");
            if (unique.size() > MOST_RECIPIENTS) {
                throw new MessageException(unique.size() + " recipients in one message; at most " + MOST_RECIPIENTS + " (To, Cc and Bcc together)");
            }
            return new Envelope(envelopeFrom != null ? envelopeFrom : from.getAddress(), List.copyOf(unique.values()));
        }
    }

    /**
     * Checks every address and header line of a rendered row and returns the message's envelope, without
     * building the MIME bytes (planning validates each row this way).
     */
    public static Envelope envelope(RenderedMessage m, String envelopeFrom) throws MessageException {
        Addresses a = Addresses.of(m);
        Envelope envelope = a.envelope(envelopeFrom);
        try {
            MimeMessage headersOnly = new MimeMessage(envelope.needsSmtpUtf8() ? SESSION_UTF8 : SESSION);
            setHeaders(headersOnly, a, m);
            requireShortLines(headersOnly);
        } catch (MessagingException | IOException e) {
            throw new MessageException("cannot build the message: " + e.getMessage(), e);
        }
        return envelope;
    }

    /**
     * At least the size of the message {@link #build} makes, cheaply: headers as if every character took
     * three octets and every one were encoded; text as quoted-printable at its worst; attachments in base64
     * with line breaks, plus room for each part's own headers; inline images like attachments, and room for the
     * Content-ID each of their references in the HTML grows by.
     */
    public static long sizeBound(RenderedMessage m, List<Attachment> attachments, Map<String, InlineImage> images) {
        long bound = 2048;
        // an encoded word carries at most 3 octets of UTF-8 per 4 characters, plus its =?UTF-8?B?…?= and folding
        for (Header h : m.headers()) bound += 8L * (h.name().length() + h.raw().length()) + 16;
        bound += 10L * m.text().length() + (m.html() == null ? 0 : 10L * m.html().length());
        for (Attachment a : attachments) bound += base64(a.content()) + 1024 + 4L * a.fileName().length();
        return bound + InlineParts.sizeBound(m.html(), images);
    }

    static long base64(byte[] content) {
        return (content.length + 2L) / 3 * 4 * 78 / 76;
    }

    public OutgoingMessage build(RenderedMessage m, List<Attachment> attachments, String messageId, String envelopeFrom)
            throws MessageException {
        return build(m, attachments, Map.of(), messageId, envelopeFrom);
    }

    /** The message, with {@code images} (by each cid: reference the HTML makes to one) shown inline in its HTML. */
    public OutgoingMessage build(RenderedMessage m, List<Attachment> attachments, Map<String, InlineImage> images, String messageId,
                                 String envelopeFrom) throws MessageException {
        Addresses a = Addresses.of(m);
        Envelope envelope = a.envelope(envelopeFrom);
        try {
            MimeMessage msg = new FixedIdMessage(envelope.needsSmtpUtf8() ? SESSION_UTF8 : SESSION, messageId);
            setHeaders(msg, a, m);
            requireShortLines(msg);
            msg.setSentDate(Date.from(clock.instant()));
            setContent(msg, m, attachments, images, messageId);
            msg.saveChanges();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            msg.writeTo(out);
            return new OutgoingMessage(envelope, out.toByteArray(), messageId);
        } catch (MessagingException | IOException e) {
            throw new MessageException("cannot build the message: " + e.getMessage(), e);
        }
    }

    private static void setHeaders(MimeMessage msg, Addresses a, RenderedMessage m) throws MessagingException, UnsupportedEncodingException {
        msg.setFrom(a.from());
        for (var e : a.visible().entrySet()) msg.setRecipients(e.getKey(), e.getValue().toArray(InternetAddress[]::new));
        if (!a.replyTo().isEmpty()) msg.setReplyTo(a.replyTo().toArray(InternetAddress[]::new));
        for (Header h : m.headers()) {
            switch (h.name()) {
                case "From", "To", "Cc", "Bcc", "Reply-To", "Attachment" -> { }
                case "Subject" -> msg.setSubject(h.value(), "UTF-8");
                default -> msg.addHeader(h.name(), MimeUtility.fold(h.name().length() + 2, MimeUtility.encodeText(h.value(), "UTF-8", null)));
            }
        }
    }

    /**
     * RFC 5322 §2.1.1: no line over 998 octets. Jakarta Mail folds headers only at white space, so a long
     * word from data (a Subject without spaces, a long display name) would make a line the wire refuses.
     */
    private static void requireShortLines(MimeMessage msg) throws MessagingException, MessageException {
        for (String line : java.util.Collections.list(msg.getAllHeaderLines())) {
            for (String physical : line.split("\r\n")) {
                int octets = physical.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                if (octets > LONGEST_LINE) {
                    String name = line.substring(0, Math.max(0, line.indexOf(':')));
                    throw new MessageException(name + ": a line of this header would be " + octets + " octets, over the " + LONGEST_LINE
                            + " mail allows (RFC 5322); a value without spaces is too long to fold");
                }
            }
        }
    }

    private static void setContent(MimeMessage msg, RenderedMessage m, List<Attachment> attachments, Map<String, InlineImage> images,
                                   String messageId) throws MessagingException, UnsupportedEncodingException {
        String text = crlf(m.text());
        if (m.html() == null && attachments.isEmpty()) {
            msg.setText(text, "UTF-8");
            return;
        }
        MimeMultipart body;
        if (m.html() != null) {
            body = new MimeMultipart("alternative");
            body.addBodyPart(textPart(text, "plain"));
            body.addBodyPart(images.isEmpty() ? textPart(crlf(m.html()), "html") : InlineParts.related(crlf(m.html()), images, messageId));
        } else {
            body = null;
        }
        if (attachments.isEmpty()) {
            msg.setContent(body);
            return;
        }
        MimeMultipart mixed = new MimeMultipart("mixed");
        if (body == null) {
            mixed.addBodyPart(textPart(text, "plain"));
        } else {
            MimeBodyPart alternative = new MimeBodyPart();
            alternative.setContent(body);
            mixed.addBodyPart(alternative);
        }
        for (Attachment a : attachments) {
            MimeBodyPart part = new MimeBodyPart();
            part.setDataHandler(new DataHandler(new ByteArrayDataSource(a.content(), MediaTypes.forFileName(a.fileName()))));
            part.setFileName(a.fileName());
            part.setDisposition(Part.ATTACHMENT);
            // base64 even for text files: any other encoding lets line endings be rewritten on the way
            part.setHeader("Content-Transfer-Encoding", "base64");
            mixed.addBodyPart(part);
        }
        msg.setContent(mixed);
    }

    static MimeBodyPart textPart(String text, String subtype) throws MessagingException {
        MimeBodyPart p = new MimeBodyPart();
        p.setText(text, "UTF-8", subtype);
        return p;
    }

    private static String first(RenderedMessage m, String name) throws MessageException {
        List<String> v = m.rawValues(name);
        if (v.isEmpty()) throw new MessageException(name + ": missing; the template must set a " + name + " header");
        return v.get(0);
    }

    private static String crlf(String s) {
        return s.replace("\r\n", "\n").replace('\r', '\n').replace("\n", "\r\n");
    }

    private static Properties mimeProperties(boolean utf8Headers) {
        Properties p = new Properties();
        p.setProperty("mail.mime.allowutf8", String.valueOf(utf8Headers));
        p.setProperty("mail.mime.charset", "UTF-8");
        p.setProperty("mail.mime.encodefilename", "false");
        p.setProperty("mail.mime.encodeparameters", "true");
        return p;
    }

    /** Keeps the Message-ID we assigned instead of the one Jakarta Mail would make up on save. */
    private static final class FixedIdMessage extends MimeMessage {
        private final String id;

        FixedIdMessage(Session session, String id) {
            super(session);
            this.id = id;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", id);
        }
    }
}
