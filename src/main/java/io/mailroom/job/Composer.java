package io.mailroom.job;

import io.mailroom.mime.Attachment;
import io.mailroom.mime.MessageBuilder;
import io.mailroom.mime.MessageException;
import io.mailroom.mime.OutgoingMessage;
import io.mailroom.template.MessageTemplate;
import io.mailroom.template.RenderedMessage;
import io.mailroom.template.RowRenderException;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One row's way from values to a wire-ready message: render → addresses and Message-ID → attachments →
 * MIME. Any problem with the row is a {@link RowProblem}; nothing half-built leaves this class.
 * Attachment paths come from the template and may contain data, so a path that leaves the template's
 * folder is refused.
 */
final class Composer {
    private final MessageTemplate template;
    private final AttachmentFiles files;
    private final MessageBuilder builder;
    private final String envelopeFrom;

    Composer(MessageTemplate template, AttachmentFiles files, MessageBuilder builder, String envelopeFrom) {
        this.template = template;
        this.files = files;
        this.builder = builder;
        this.envelopeFrom = envelopeFrom;
    }

    /**
     * Checks that the row can become a message (rendering, addresses, attachments) and returns its
     * envelope and a new Message-ID, without building the bytes.
     */
    OutgoingMessage check(Map<String, String> fields) throws RowProblem {
        try {
            RenderedMessage rendered = template.render(fields);
            for (String name : rendered.values("Attachment")) attachment(name);
            OutgoingMessage envelope = MessageBuilder.envelope(rendered, envelopeFrom);
            return new OutgoingMessage(envelope.envelopeFrom(), envelope.recipients(), envelope.to(), envelope.bytes(),
                    MessageBuilder.newMessageId(MessageBuilder.fromAddress(rendered)));
        } catch (RowRenderException | MessageException e) {
            throw new RowProblem(e.getMessage());
        }
    }

    /** Builds the row's message; {@code messageId} null assigns a new one. */
    OutgoingMessage compose(Map<String, String> fields, String messageId) throws RowProblem {
        try {
            RenderedMessage rendered = template.render(fields);
            String id = messageId != null ? messageId : MessageBuilder.newMessageId(MessageBuilder.fromAddress(rendered));
            List<Attachment> attachments = new ArrayList<>();
            for (String name : rendered.values("Attachment")) attachments.add(attachment(name));
            return builder.build(rendered, attachments, id, envelopeFrom);
        } catch (RowRenderException | MessageException e) {
            throw new RowProblem(e.getMessage());
        }
    }

    /** The recipient's key: the key column's value, else the first To address (else the first recipient). */
    static String key(String keyColumn, Map<String, String> fields, OutgoingMessage m) throws RowProblem {
        String key;
        if (keyColumn != null) {
            key = fields.getOrDefault(keyColumn, "").strip();
            if (key.isEmpty()) throw new RowProblem("the key column \"" + keyColumn + "\" is empty");
        } else {
            key = m.to().isEmpty() ? m.recipients().get(0) : m.to().get(0);
        }
        return key.toLowerCase(Locale.ROOT);
    }

    private Attachment attachment(String written) throws RowProblem {
        Path relative = Path.of(written).normalize();
        if (relative.isAbsolute() || relative.startsWith("..") || relative.toString().isEmpty()) {
            throw new RowProblem("Attachment: \"" + written + "\" must be a path inside the template's folder");
        }
        String name = relative.toString().replace('\\', '/');
        try {
            byte[] content = files.read(name);
            if (content == null) throw new RowProblem("Attachment: \"" + name + "\" not found in the template's folder");
            return new Attachment(relative.getFileName().toString(), content);
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("cannot read attachment " + name + ": " + e.getMessage(), e);
        }
    }
}
