package io.mailroom.job;

import io.mailroom.dkim.DkimSigner;
import io.mailroom.mime.OutgoingMessage;
import io.mailroom.template.Header;
import io.mailroom.template.MessageTemplate;
import io.mailroom.template.RenderedMessage;
import io.mailroom.template.RowRenderException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What mailroom adds to each row's message past its template: the List-Unsubscribe headers (list-unsubscribe.*),
 * and, once every header is final, the DKIM signature over the bytes as they go on the wire (dkim.*). Made once per
 * run, reading the key file then ({@link #of}): a key that cannot sign stops the run before anything is planned,
 * stored or sent. {@link #NONE} for a job with neither.
 */
final class Finisher {
    static final Finisher NONE = new Finisher(null, null, null);
    /** What list-unsubscribe.* makes mailroom write, so a template may not. */
    private static final List<String> UNSUBSCRIBE_HEADERS = List.of("List-Unsubscribe", "List-Unsubscribe-Post");

    private final ListUnsubscribe.Rendering unsubscribe;
    private final DkimSettings dkim;
    private final DkimSigner signer;

    private Finisher(ListUnsubscribe.Rendering unsubscribe, DkimSettings dkim, DkimSigner signer) {
        this.unsubscribe = unsubscribe;
        this.dkim = dkim;
        this.signer = signer;
    }

    /** The job's finisher: its key read and checked, its list-unsubscribe keys compiled. */
    static Finisher of(SendSettings send, Clock clock) throws JobFileException {
        ListUnsubscribe.Rendering unsubscribe = send.unsubscribe() == null ? null : send.unsubscribe().compile(send.limits().render());
        DkimSigner signer = send.dkim() == null ? null : send.dkim().signer(clock);
        return unsubscribe == null && signer == null ? NONE : new Finisher(unsubscribe, send.dkim(), signer);
    }

    /**
     * Refuses (65) a template that writes its own List-Unsubscribe (or -Post) while the job's keys make them: a
     * message would carry two. Without the keys, a template's own header is the user's and is sent as written.
     */
    void requireFits(MessageTemplate template) throws DataException {
        if (unsubscribe == null) return;
        for (String h : UNSUBSCRIBE_HEADERS) {
            if (template.writes(h)) {
                throw new DataException(template.name() + ": the template writes its own " + h + " header, and list-unsubscribe.* in the job"
                        + " file makes mailroom write it too: keep one (remove the header from the template, or the keys); nothing was sent", null);
            }
        }
    }

    /** {@code rendered} with this row's List-Unsubscribe headers, when the job makes them. */
    RenderedMessage addHeaders(RenderedMessage rendered, Map<String, String> fields) throws RowProblem {
        if (unsubscribe == null) return rendered;
        for (String h : UNSUBSCRIBE_HEADERS) {
            if (!rendered.values(h).isEmpty()) {
                throw new RowProblem("the template writes a " + h + " header for this row, and list-unsubscribe.* makes one too: keep one");
            }
        }
        List<Header> headers = new ArrayList<>(rendered.headers());
        headers.addAll(unsubscribe.headers(fields));
        return new RenderedMessage(headers, rendered.text(), rendered.html());
    }

    /**
     * Renders the job's list-unsubscribe.* keys for {@code fields} and nothing more, so planning can tell a key that
     * names no column (a {@link io.mailroom.template.TemplateFault}, the job file's mistake) from a row's bad value.
     */
    void probe(Map<String, String> fields) throws RowRenderException {
        if (unsubscribe != null) unsubscribe.probe(fields);
    }

    /** Why a message From {@code address} would fail DMARC with the job's signature, or null (also when it signs nothing). */
    String misaligned(String address) {
        return dkim == null ? null : dkim.misaligned(address);
    }

    /**
     * A note for a run that signs with RSA in a JVM without C2 (-XX:TieredStopAtLevel=1, the launcher's choice where it
     * cannot see that the job signs, as for resume): C1's BigInteger arithmetic makes each signature about 8 times as
     * slow (11.6 ms against 1.4 ms, measured on the 2-core machine). Null otherwise.
     */
    String slowSigningNote(String job) {
        if (signer == null || signer.algorithm() != io.mailroom.dkim.DkimKey.Algorithm.RSA_SHA256) return null;
        if (!java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:TieredStopAtLevel=1")) return null;
        return job + ": note: this JVM runs without its optimizing compiler (-XX:TieredStopAtLevel=1), which makes each RSA signature"
                + " about 8 times as slow; for a large signed job set MAILROOM_JAVA_OPTS=-XX:+UseSerialGC";
    }

    /** {@code m} signed, its bytes exactly as they will be sent; unsigned when the job has no DKIM key. */
    OutgoingMessage sign(OutgoingMessage m) {
        return signer == null ? m : new OutgoingMessage(m.envelope(), signer.sign(m.bytes()), m.messageId());
    }
}
