package io.mailroom.job;

import io.mailroom.smtp.SmtpClient;
import io.mailroom.smtp.SmtpIOException;
import io.mailroom.smtp.SmtpSession;
import io.mailroom.smtp.SmtpSessionException;
import io.mailroom.smtp.Transcript;
import java.util.function.Function;

/**
 * Keeps the job's one SMTP session. Opened lazily (a run with nothing due connects to nothing), checked
 * before lending: a used session is RSET first, and a broken one, one whose RSET failed, or one that has
 * carried {@code smtp.max-messages-per-session} messages is replaced by a fresh session.
 */
final class Sessions implements AutoCloseable {
    private final SmtpClient client;
    private final int maxPerSession;
    private final String runId;
    private final Function<String, Transcript> transcripts;
    private SmtpSession current;
    private int opened;

    Sessions(SmtpClient client, int maxPerSession, String runId, Function<String, Transcript> transcripts) {
        this.client = client;
        this.maxPerSession = maxPerSession;
        this.runId = runId;
        this.transcripts = transcripts;
    }

    SmtpSession acquire() throws SmtpSessionException {
        if (current != null && current.isUsable() && maxPerSession > 0 && current.transactions() >= maxPerSession) {
            current.quit();
        }
        if (current != null && current.isUsable() && current.needsReset()) {
            try {
                current.reset();
            } catch (SmtpIOException e) {
                // a session that cannot RSET carries no more messages; a fresh one is opened below
            }
        }
        if (current == null || !current.isUsable()) {
            if (current != null) current.close();
            String id = runId + "." + (++opened);
            current = client.open(id, transcripts.apply(id));
        }
        return current;
    }

    int opened() { return opened; }

    @Override
    public void close() {
        if (current != null) current.quit();
        current = null;
    }
}
