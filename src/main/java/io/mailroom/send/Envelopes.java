package io.mailroom.send;

import io.mailroom.smtp.Dsn;
import io.mailroom.smtp.Extensions;
import io.mailroom.smtp.Mail;
import io.mailroom.smtp.UnsendableMessageException;
import io.mailroom.store.Recipient;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * What each attempt's envelope carries besides the message's own: a return path of its own (envelope.verp), and the
 * job's DSN request (RFC 3461) with the attempt's ENVID, which is its {@link Verp} token, so a report that echoes it
 * names the row and attempt, and no two attempts (nor two jobs, whose keys differ) share one. DSN parameters go only to a
 * server that offers DSN; to one that does not, the message goes without them, never to be refused for them, and the
 * run says so once.
 */
final class Envelopes {
    private final Verp tokens;
    private final boolean verp;
    private final Dsn dsn;
    private final Consumer<String> notes;
    private final AtomicBoolean saidNoDsn = new AtomicBoolean();

    /** {@code tokens}: the job's, needed for VERP and for an ENVID; {@code dsn} null: the job asks nothing of DSN. */
    Envelopes(Verp tokens, boolean verp, Dsn dsn, Consumer<String> notes) {
        if ((verp || dsn != null && dsn.envid()) && tokens == null) throw new IllegalArgumentException("VERP and ENVID need the job's tokens");
        this.tokens = tokens;
        this.verp = verp;
        this.dsn = dsn;
        this.notes = notes;
    }

    /** {@code mail} as attempt {@code r.attempts() + 1} of row {@code r} goes to a server that announced {@code offered}. */
    Mail forAttempt(Mail mail, Recipient r, Extensions offered) throws UnsendableMessageException {
        int attempt = r.attempts() + 1;
        Mail out = verp ? mail.withFrom(tokens.returnPath(mail.from(), r.id(), attempt)) : mail;
        if (dsn == null) return out;
        if (!offered.has("DSN")) {
            if (!saidNoDsn.getAndSet(true)) {
                notes.accept("the server does not offer DSN (RFC 3461): messages go without the dsn.* parameters (NOTIFY, RET, ENVID, ORCPT),"
                        + " so its reports follow its own defaults");
            }
            return out;
        }
        return out.withDsn(dsn, dsn.envid() ? tokens.token(r.id(), attempt) : null);
    }
}
