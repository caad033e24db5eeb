package io.mailroom.smtp;

import java.io.IOException;

/**
 * The engine for a server offering PIPELINING (RFC 2920): a message costs one round trip. Its content and
 * final "." leave together with the next message's RSET, MAIL, RCPT and DATA, and the replies are matched
 * in order; the message after that is taken from the outbox while the server answers.
 */
final class PipelinedSession extends SessionCore {
    PipelinedSession(String id, Connection connection, Extensions extensions) {
        super(id, connection, extensions);
    }

    /**
     * Each round writes the previous message's content and "." with this message's envelope, then takes
     * the next message from the outbox while the server works, then reads the replies: building and
     * recording the next message costs no round trip. The reply read for a "." is only believed once the
     * replies after it in the same round make sense: a server that skipped it would otherwise have its
     * reply to RSET taken for the verdict on the message.
     */
    @Override
    <X extends Exception> void drain(Outbox<X> outbox) throws X {
        Tx inDoubt = null;
        Tx tx = Tx.of(outbox.next());
        while (true) {
            boolean reset = tx != null && needsReset();
            try {
                if (tx != null) {
                    connection.requireNothingUnasked();
                    if (reset) connection.queue("RSET");
                    queueEnvelope(tx);
                }
                connection.flush(Step.MAIL);
            } catch (IOException e) {
                failBoth(outbox, inDoubt, tx, e);
                return;
            }
            Mail following = tx == null ? null : outbox.next();
            Tx answered = null;
            if (inDoubt != null) {
                Tx finishing = inDoubt;
                inDoubt = null;
                try {
                    record(finishing, Step.END_OF_DATA, null, connection.read(Step.END_OF_DATA));
                } catch (IOException e) {
                    failBoth(outbox, finishing, tx, e);
                    giveBack(outbox, following);
                    return;
                }
                answered = finishing;
            }
            if (tx == null) {
                finished(outbox, answered);
                return;
            }
            try {
                if (reset) requireResetAccepted(connection.read(Step.RSET));
                tx.step = Step.MAIL;
                boolean mailAccepted = record(tx, Step.MAIL, tx.mail.from(), connection.read(Step.MAIL));
                tx.step = Step.RCPT;
                boolean anyAccepted = false;
                for (String rcpt : tx.mail.recipients()) anyAccepted |= record(tx, Step.RCPT, rcpt, connection.read(Step.RCPT));
                tx.step = Step.DATA;
                SmtpReply data = recordData(tx, connection.read(Step.DATA));
                if (data.code() == 354 && !mailAccepted) throw new SmtpProtocolException("DATA was answered 354 although MAIL FROM was refused");
                if (data.code() == 354 && anyAccepted && !isBroken()) {
                    finished(outbox, answered);
                    answered = null;
                    writeContent(tx, outbox);
                    inDoubt = tx;
                    tx = Tx.of(following);
                    continue;
                }
                if (data.code() == 354) endEmptyData(tx);
                if (data.isClosing()) breakSession();
            } catch (IOException e) {
                if (answered != null && e instanceof SmtpProtocolException) {
                    outbox.failed(answered.mail, new SmtpIOException(Step.END_OF_DATA, answered.done, new SmtpProtocolException(
                            "the replies after the one to the final \".\" broke the protocol (" + e.getMessage() + "), so that one cannot be trusted")));
                } else {
                    finished(outbox, answered);
                }
                fail(outbox, tx, e);
                giveBack(outbox, following);
                return;
            }
            finished(outbox, answered);
            outbox.finished(tx.mail, new Delivery(tx.done));
            if (isBroken()) {
                giveBack(outbox, following);
                return;
            }
            tx = Tx.of(following);
        }
    }

    /** Reports a message whose "." was answered (null: none this round). */
    private static <X extends Exception> void finished(Outbox<X> outbox, Tx answered) throws X {
        if (answered != null) outbox.finished(answered.mail, new Delivery(answered.done));
    }

    private static <X extends Exception> void giveBack(Outbox<X> outbox, Mail mail) throws X {
        if (mail != null) outbox.unsent(mail);
    }

    private void queueEnvelope(Tx tx) throws IOException {
        begin();
        connection.queue(mailFrom(tx.mail));
        for (String rcpt : tx.mail.recipients()) connection.queue(rcptTo(tx.mail, rcpt));
        connection.queue("DATA");
    }

    /**
     * A server that says 354 although no recipient was accepted gets a lone "." (RFC 2920 section 3.1), never
     * the content. The refused RCPTs decide the message: no reply to that ".", or an impossible one, only
     * breaks the session; the message is not in doubt, as nobody could have received it.
     */
    private void endEmptyData(Tx tx) {
        try {
            connection.queue(".");
            connection.flush(Step.END_OF_DATA);
            record(tx, Step.END_OF_DATA, null, connection.read(Step.END_OF_DATA));
        } catch (IOException e) {
            breakSession();
        }
    }
}
