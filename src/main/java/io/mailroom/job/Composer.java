package io.mailroom.job;

import io.mailroom.mime.Attachment;
import io.mailroom.mime.Envelope;
import io.mailroom.mime.InlineImage;
import io.mailroom.mime.InlineReferences;
import io.mailroom.mime.MessageBuilder;
import io.mailroom.mime.MessageException;
import io.mailroom.mime.OutgoingMessage;
import io.mailroom.template.MessageTemplate;
import io.mailroom.template.RenderedMessage;
import io.mailroom.template.RowRenderException;
import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One row's way from values to a wire-ready message: render → List-Unsubscribe → addresses and Message-ID →
 * attachments and inline images → MIME → DKIM signature (the {@link Finisher}'s). Any problem with the row is a
 * {@link RowProblem}; nothing half-built leaves this class.
 * Attachment paths, and the files an HTML body shows inline ({@code src="cid:…"}), come from the template and may
 * contain data, so they are checked as names and kept inside the template's folder ({@link AttachmentFolder}),
 * both under {@code attachment.max-size}. The {@link RowLimits} on attachments and the
 * message size are checked here, the same way when planning (and in a dry run) as when sending.
 */
final class Composer {
    /** What the store holds as a key. */
    private static final int LONGEST_KEY = 1000;
    /** At least what a DKIM-Signature adds to a message (RSA 4096 with every header signed is under 1,500 octets). */
    private static final int SIGNATURE_BOUND = 2048;
    /** How reasons about a file of the template's folder begin, by what the file is for. */
    private static final String ATTACHMENT = "Attachment: ";
    private static final String INLINE_IMAGE = "Inline image (cid:): ";

    private final MessageTemplate template;
    private final AttachmentFiles files;
    private final MessageBuilder builder;
    private final String envelopeFrom;
    private final RowLimits limits;
    private final Finisher finisher;

    Composer(MessageTemplate template, AttachmentFiles files, MessageBuilder builder, String envelopeFrom, RowLimits limits, Finisher finisher) {
        this.finisher = finisher;
        this.template = template;
        this.files = files;
        this.builder = builder;
        this.envelopeFrom = envelopeFrom;
        this.limits = limits;
    }

    /** A row that can become a message: its envelope and the Message-ID it will carry on every try. */
    record Checked(Envelope envelope, String messageId) { }

    /**
     * Checks that the row can become a message (rendering, addresses, header lines, attachments, inline images, size)
     * and returns its envelope and a new Message-ID. The bytes are built only when a cheap bound on their
     * size is over the limit, to tell exactly.
     */
    Checked check(Map<String, String> fields) throws RowProblem {
        try {
            RenderedMessage rendered = render(fields);
            List<Attachment> attachments = attachments(rendered);
            Map<String, InlineImage> images = inlineImages(rendered);
            String id = MessageBuilder.newMessageId(MessageBuilder.fromAddress(rendered));
            Envelope envelope = MessageBuilder.envelope(rendered, envelopeFrom);
            if (MessageBuilder.sizeBound(rendered, attachments, images) + SIGNATURE_BOUND > limits.messageBytes()) {
                withinSize(finisher.sign(builder.build(rendered, attachments, images, id, envelopeFrom)));
            }
            return new Checked(envelope, id);
        } catch (RowRenderException | MessageException e) {
            throw new RowProblem(e.getMessage());
        } catch (OutOfMemoryError e) {
            throw new RowProblem("building this row's message ran out of memory (lower message.max-size, or give mailroom more with -Xmx)");
        }
    }

    /** Builds the row's message; {@code messageId} null assigns a new one. */
    OutgoingMessage compose(Map<String, String> fields, String messageId) throws RowProblem {
        try {
            RenderedMessage rendered = render(fields);
            String id = messageId != null ? messageId : MessageBuilder.newMessageId(MessageBuilder.fromAddress(rendered));
            return withinSize(finisher.sign(builder.build(rendered, attachments(rendered), inlineImages(rendered), id, envelopeFrom)));
        } catch (RowRenderException | MessageException e) {
            throw new RowProblem(e.getMessage());
        } catch (OutOfMemoryError e) {
            throw new RowProblem("building this row's message ran out of memory (lower message.max-size, or give mailroom more with -Xmx)");
        }
    }

    /** The row rendered, with what the job adds to every message's headers; a From the signature would not align with fails it. */
    private RenderedMessage render(Map<String, String> fields) throws RowRenderException, MessageException, RowProblem {
        RenderedMessage rendered = finisher.addHeaders(template.render(fields), fields);
        String misaligned = finisher.misaligned(MessageBuilder.fromAddress(rendered));
        if (misaligned != null) throw new RowProblem(misaligned);
        return rendered;
    }

    /** A key as recipients are known by it: trimmed, compared case-insensitively (kept in lower case). */
    static String normalKey(String value) {
        return value.strip().toLowerCase(Locale.ROOT);
    }

    /** The recipient's key: the key column's value, else the first To address (else the first recipient). */
    static String key(String keyColumn, Map<String, String> fields, Envelope m) throws RowProblem {
        String key;
        if (keyColumn != null) {
            key = normalKey(fields.getOrDefault(keyColumn, ""));
            String problem = keyProblem(key);
            if (problem != null) throw new RowProblem("the key column \"" + keyColumn + "\" " + problem);
        } else {
            key = m.to().isEmpty() ? m.recipients().get(0) : m.to().get(0);
        }
        return key.toLowerCase(Locale.ROOT);
    }

    /** Why a key column's value can't be a key (the store holds one line of up to 1,000 characters), or null. */
    static String keyProblem(String key) {
        if (key.isEmpty()) return "is empty";
        if (key.length() > LONGEST_KEY) return "is longer than " + LONGEST_KEY + " characters";
        return key.lines().count() > 1 ? "holds a line break; a key is one line" : null;
    }

    private List<Attachment> attachments(RenderedMessage rendered) throws RowProblem {
        List<Attachment> attachments = new ArrayList<>();
        for (String written : rendered.values("Attachment")) {
            String name = checkedName(ATTACHMENT, written);
            attachments.add(new Attachment(name.substring(name.lastIndexOf('/') + 1), read(ATTACHMENT, name)));
        }
        return attachments;
    }

    /** The files the HTML body shows inline, by each cid: reference to them; a file referred to twice is read once. */
    private Map<String, InlineImage> inlineImages(RenderedMessage rendered) throws RowProblem {
        if (rendered.html() == null) return Map.of();
        Map<String, InlineImage> byName = new HashMap<>();
        Map<String, InlineImage> byReference = new LinkedHashMap<>();
        for (String reference : InlineReferences.in(rendered.html())) {
            String name = checkedName(INLINE_IMAGE, reference);
            InlineImage image = byName.get(name);
            if (image == null) {
                image = new InlineImage(name, read(INLINE_IMAGE, name));
                byName.put(name, image);
            }
            byReference.put(reference, image);
        }
        return byReference;
    }

    private static String checkedName(String use, String written) throws RowProblem {
        try {
            return AttachmentFolder.name(written);
        } catch (RowProblem p) {
            throw new RowProblem(use + p.getMessage());
        }
    }

    /** A file of the template's folder (its snapshot, once planned); {@code use} begins every reason about it. */
    private byte[] read(String use, String name) throws RowProblem {
        byte[] content;
        try {
            content = files.read(name, limits.attachmentBytes());
        } catch (IOException e) {
            throw new RowProblem(use + "\"" + name + "\" cannot be read: " + e.getMessage());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read " + name + " from the job's snapshot: " + e.getMessage(), e);
        } catch (RowProblem p) {
            throw new RowProblem(use + p.getMessage());
        }
        if (content == null) throw new RowProblem(use + "\"" + name + "\" not found in the template's folder");
        // the snapshot holds what was checked when planned; the limit may have been lowered since
        if (content.length > limits.attachmentBytes()) throw new RowProblem(use + tooLarge(name, content.length, limits.attachmentBytes()));
        return content;
    }

    private OutgoingMessage withinSize(OutgoingMessage m) throws RowProblem {
        if (m.bytes().length <= limits.messageBytes()) return m;
        throw new RowProblem("the message is " + Sizes.human(m.bytes().length) + " as sent (attachments grow by a third in base64),"
                + " over message.max-size=" + Sizes.human(limits.messageBytes()));
    }

    /** Why a file is too large to send, after the label of its use. */
    static String tooLarge(String name, long size, long max) {
        return "\"" + name + "\" is " + Sizes.human(size) + ", over attachment.max-size=" + Sizes.human(max);
    }
}
