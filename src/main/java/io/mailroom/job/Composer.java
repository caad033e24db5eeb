package io.mailroom.job;

import io.mailroom.mime.Attachment;
import io.mailroom.mime.Envelope;
import io.mailroom.mime.MessageBuilder;
import io.mailroom.mime.MessageException;
import io.mailroom.mime.OutgoingMessage;
import io.mailroom.template.MessageTemplate;
import io.mailroom.template.RenderedMessage;
import io.mailroom.template.RowRenderException;
import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One row's way from values to a wire-ready message: render → List-Unsubscribe → addresses and Message-ID →
 * attachments → MIME → DKIM signature (the {@link Finisher}'s). Any problem with the row is a {@link RowProblem}; nothing half-built leaves this class.
 * Attachment paths come from the template and may contain data, so they are checked as names and kept
 * inside the template's folder ({@link AttachmentFolder}). The {@link RowLimits} on attachments and the
 * message size are checked here, the same way when planning (and in a dry run) as when sending.
 */
final class Composer {
    /** What the store holds as a key. */
    private static final int LONGEST_KEY = 1000;
    /** At least what a DKIM-Signature adds to a message (RSA 4096 with every header signed is under 1,500 octets). */
    private static final int SIGNATURE_BOUND = 2048;

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

    /**
     * Checks that the row can become a message (rendering, addresses, header lines, attachments, size)
     * and returns its envelope and a new Message-ID. The bytes are built only when a cheap bound on their
     * size is over the limit, to tell exactly.
     */
    /** A row that can become a message: its envelope and the Message-ID it will carry on every try. */
    record Checked(Envelope envelope, String messageId) { }

    Checked check(Map<String, String> fields) throws RowProblem {
        try {
            RenderedMessage rendered = render(fields);
            List<Attachment> attachments = attachments(rendered);
            String id = MessageBuilder.newMessageId(MessageBuilder.fromAddress(rendered));
            Envelope envelope = MessageBuilder.envelope(rendered, envelopeFrom);
            if (MessageBuilder.sizeBound(rendered, attachments) + SIGNATURE_BOUND > limits.messageBytes()) {
                withinSize(finisher.sign(builder.build(rendered, attachments, id, envelopeFrom)));
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
            return withinSize(finisher.sign(builder.build(rendered, attachments(rendered), id, envelopeFrom)));
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
            String name = AttachmentFolder.name(written);
            byte[] content;
            try {
                content = files.read(name, limits.attachmentBytes());
            } catch (IOException e) {
                throw new RowProblem("Attachment: \"" + name + "\" cannot be read: " + e.getMessage());
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read attachment " + name + " from the job's snapshot: " + e.getMessage(), e);
            }
            if (content == null) throw new RowProblem("Attachment: \"" + name + "\" not found in the template's folder");
            // the snapshot holds what was checked when planned; the limit may have been lowered since
            if (content.length > limits.attachmentBytes()) throw tooLarge(name, content.length, limits.attachmentBytes());
            attachments.add(new Attachment(name.substring(name.lastIndexOf('/') + 1), content));
        }
        return attachments;
    }

    private OutgoingMessage withinSize(OutgoingMessage m) throws RowProblem {
        if (m.bytes().length <= limits.messageBytes()) return m;
        throw new RowProblem("the message is " + Sizes.human(m.bytes().length) + " as sent (attachments grow by a third in base64),"
                + " over message.max-size=" + Sizes.human(limits.messageBytes()));
    }

    static RowProblem tooLarge(String name, long size, long max) {
        return new RowProblem("Attachment: \"" + name + "\" is " + Sizes.human(size) + ", over attachment.max-size=" + Sizes.human(max));
    }
}
