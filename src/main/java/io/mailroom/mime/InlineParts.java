package io.mailroom.mime;

import jakarta.activation.DataHandler;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An HTML body with the files it shows inline: a multipart/related (RFC 2387) of the HTML, then one part per
 * file however often it is shown (base64, {@code Content-Disposition: inline}, its type from its name). A bare
 * file name is no valid msg-id, so each part's Content-ID is made from its path and the Message-ID's domain,
 * and the HTML's src attributes are rewritten to match.
 */
final class InlineParts {
    /** The longest left part of a Content-ID made from a path, before a number that sets it apart. */
    private static final int MOST_ID_LEFT = 64;

    private InlineParts() { }

    /** The related part for {@code html}, which refers to {@code images} by the keys of the map (its cid: references). */
    static MimeBodyPart related(String html, Map<String, InlineImage> images, String messageId) throws MessagingException {
        String domain = messageId.substring(messageId.lastIndexOf('@') + 1).replace(">", "");
        Map<String, String> cidOfPath = new LinkedHashMap<>();
        Map<String, String> cidOfReference = new LinkedHashMap<>();
        Set<String> taken = new HashSet<>();
        List<MimeBodyPart> parts = new ArrayList<>();
        for (var e : images.entrySet()) {
            InlineImage image = e.getValue();
            String cid = cidOfPath.get(image.path());
            if (cid == null) {
                cid = idLeft(image.path(), taken) + "@" + domain;
                cidOfPath.put(image.path(), cid);
                parts.add(imagePart(image, cid));
            }
            cidOfReference.put(e.getKey(), cid);
        }
        MimeMultipart related = new Related();
        related.addBodyPart(MessageBuilder.textPart(InlineReferences.rewrite(html, cidOfReference), "html"));
        for (MimeBodyPart p : parts) related.addBodyPart(p);
        MimeBodyPart part = new MimeBodyPart();
        part.setContent(related);
        return part;
    }

    /**
     * What the images add to a message at most: each file once in base64 with its part's headers, and each src
     * in the HTML grown by a Content-ID (a short name and the Message-ID's domain), quoted-printable at worst.
     */
    static long sizeBound(String html, Map<String, InlineImage> images) {
        if (html == null || images.isEmpty()) return 0;
        Map<String, InlineImage> byPath = new LinkedHashMap<>();
        images.values().forEach(i -> byPath.put(i.path(), i));
        long bound = 3L * (MOST_ID_LEFT + 300) * InlineReferences.count(html);
        for (InlineImage i : byPath.values()) bound += MessageBuilder.base64(i.content()) + 1024 + 8L * i.path().length();
        return bound;
    }

    /** multipart/related with its root's type, which RFC 2387 requires and MimeMultipart has no setter for. */
    private static final class Related extends MimeMultipart {
        Related() throws MessagingException {
            super("related");
            ContentType type = new ContentType(contentType);
            type.setParameter("type", "text/html");
            contentType = type.toString();
        }
    }

    private static MimeBodyPart imagePart(InlineImage image, String cid) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        String name = image.path().substring(image.path().lastIndexOf('/') + 1);
        part.setDataHandler(new DataHandler(new ByteArrayDataSource(image.content(), MediaTypes.forFileName(name))));
        part.setContentID("<" + cid + ">");
        part.setDisposition(Part.INLINE);
        part.setFileName(name);
        // base64 whatever the type: an SVG's line endings must arrive as they were, too
        part.setHeader("Content-Transfer-Encoding", "base64");
        return part;
    }

    /** A Content-ID's left part for {@code path}: letters, digits, '_', '-' and single inner dots (a dot-atom a URL carries as it is). */
    private static String idLeft(String path, Set<String> taken) {
        String s = path.replaceAll("[^A-Za-z0-9_.-]", "_").replaceAll("\\.{2,}", ".").replaceAll("^\\.|\\.$", "");
        if (s.length() > MOST_ID_LEFT) s = s.substring(s.length() - MOST_ID_LEFT).replaceAll("^\\.", "");
        if (s.isEmpty()) s = "image";
        String id = s;
        for (int n = 2; !taken.add(id); n++) id = s + "-" + n;
        return id;
    }
}
