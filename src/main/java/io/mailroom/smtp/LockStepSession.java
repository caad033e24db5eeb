package io.mailroom.smtp;

import java.io.IOException;

/** The engine for a server without PIPELINING: every command waits for its reply before the next is written. */
final class LockStepSession extends SessionCore {
    LockStepSession(String id, Connection connection, Extensions extensions) {
        super(id, connection, extensions);
    }

    @Override
    <X extends Exception> void drain(Outbox<X> outbox) throws X {
        while (true) {
            Mail mail = outbox.next();
            if (mail == null) return;
            Tx tx = new Tx(mail);
            try {
                if (needsReset()) reset();
                begin();
                send(tx, outbox);
            } catch (IOException e) {
                fail(outbox, tx, e);
                return;
            }
            outbox.finished(tx.mail, new Delivery(tx.done));
            if (isBroken()) return;
        }
    }

    private <X extends Exception> void send(Tx tx, Outbox<X> outbox) throws IOException, X {
        tx.step = Step.MAIL;
        if (!record(tx, Step.MAIL, tx.mail.from(), connection.command(Step.MAIL, mailFrom(tx.mail)))) return;
        tx.step = Step.RCPT;
        boolean anyAccepted = false;
        for (String rcpt : tx.mail.recipients()) {
            anyAccepted |= record(tx, Step.RCPT, rcpt, connection.command(Step.RCPT, rcptTo(tx.mail, rcpt)));
            if (isBroken()) return;
        }
        if (!anyAccepted) return;
        tx.step = Step.DATA;
        SmtpReply data = recordData(tx, connection.command(Step.DATA, "DATA"));
        if (data.isClosing()) breakSession();
        if (data.code() != 354) return;
        writeContent(tx, outbox);
        connection.flush(Step.END_OF_DATA);
        record(tx, Step.END_OF_DATA, null, connection.read(Step.END_OF_DATA));
    }
}
