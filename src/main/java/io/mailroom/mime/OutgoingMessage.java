package io.mailroom.mime;

import java.util.List;

/** A message ready for the wire: its envelope, the RFC 5322 bytes with CRLF line endings, and its Message-ID. */
public record OutgoingMessage(Envelope envelope, byte[] bytes, String messageId) {

    public String envelopeFrom() { return envelope.from(); }

    /** Every envelope recipient (To, Cc and Bcc), each once. */
    public List<String> recipients() { return envelope.recipients(); }

    public List<String> to() { return envelope.to(); }

    public boolean needsSmtpUtf8() { return envelope.needsSmtpUtf8(); }
}
