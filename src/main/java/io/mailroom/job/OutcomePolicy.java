package io.mailroom.job;

import io.mailroom.smtp.Delivery;
import io.mailroom.smtp.Exchange;
import io.mailroom.smtp.SmtpIOException;
import io.mailroom.smtp.SmtpReply;
import io.mailroom.smtp.Step;
import io.mailroom.store.Outcome;
import io.mailroom.store.RecipientStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * THE outcome policy: the only place that decides a recipient's status from what the server did.
 * 2xx to the end of DATA → sent; 4xx → deferred (retried with backoff); 5xx → failed. A connection lost
 * before the final "." → deferred; lost after it → unknown (the server may have the message). A message
 * larger than the server's SIZE fails without being sent.
 * When every RCPT is refused, a 4xx among them defers (it may pass later), otherwise the first 5xx fails it.
 */
final class OutcomePolicy {
    private static final Duration FIRST_RETRY = Duration.ofMinutes(1);
    private static final Duration LONGEST_WAIT = Duration.ofHours(1);
    static final int IN_RUN_RETRIES = 2;

    private OutcomePolicy() { }

    static RecipientStatus afterReply(SmtpReply r) {
        return switch (r.code() / 100) {
            case 2 -> RecipientStatus.SENT;
            case 4 -> RecipientStatus.DEFERRED;
            default -> RecipientStatus.FAILED;
        };
    }

    static RecipientStatus afterIoFailure(Step step) {
        return step == Step.END_OF_DATA ? RecipientStatus.UNKNOWN : RecipientStatus.DEFERRED;
    }

    static Outcome afterDelivery(Delivery d, int attemptsBefore, Instant now) {
        SmtpReply decisive = decisiveReply(d);
        RecipientStatus status = afterReply(decisive);
        Instant retry = status != RecipientStatus.DEFERRED ? null : decisive.isClosing() ? soon(attemptsBefore, now) : retryAt(attemptsBefore, now);
        return new Outcome(status, decisive, null, retry);
    }

    static Outcome afterIoFailure(SmtpIOException e, int attemptsBefore, Instant now) {
        RecipientStatus status = afterIoFailure(e.step());
        // no reply decided this: the failure text says what happened, the attempt keeps the replies read so far
        return new Outcome(status, null, e.getMessage(), status == RecipientStatus.DEFERRED ? soon(attemptsBefore, now) : null);
    }

    static Outcome needsSmtpUtf8() {
        return skipped("an address has non-ASCII characters before the @, which needs SMTPUTF8, and the server does not offer it");
    }

    static Outcome tooLarge(int size, long limit) {
        return new Outcome(RecipientStatus.FAILED, null, "the message is " + size + " octets; the server accepts at most " + limit
                + " (SIZE), so it was not sent", null);
    }

    /**
     * The session failed, not the message (lost connection before the final ".", a 421): the first
     * {@link #IN_RUN_RETRIES} tries are due again at once, on a fresh session; after that, the usual backoff.
     */
    private static Instant soon(int attemptsBefore, Instant now) {
        return attemptsBefore < IN_RUN_RETRIES ? now : retryAt(attemptsBefore, now);
    }

    static Outcome skipped(String reason) {
        return new Outcome(RecipientStatus.SKIPPED, null, reason, null);
    }

    /**
     * The reply that decided the transaction, in protocol order: a refused MAIL; else, when no RCPT was
     * accepted, the RCPT replies (pipelined servers still answer DATA, with a 5xx that decides nothing);
     * else a DATA reply other than 354; else the reply to the final ".".
     */
    private static SmtpReply decisiveReply(Delivery d) {
        Exchange mail = d.exchanges().get(0);
        if (!mail.reply().isPositive()) return mail.reply();
        List<Exchange> rcpts = d.recipients();
        if (rcpts.stream().noneMatch(e -> e.reply().isPositive())) {
            return rcpts.stream().map(Exchange::reply).filter(SmtpReply::isTransient).findFirst()
                    .orElse(rcpts.isEmpty() ? d.last().reply() : rcpts.get(0).reply());
        }
        return d.last().reply();
    }

    /** Exponential backoff: 1, 2, 4 … minutes after each failed attempt, at most an hour. */
    static Instant retryAt(int attemptsBefore, Instant now) {
        Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(attemptsBefore, 10));
        return now.plus(wait.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : wait);
    }

    /**
     * The last word on a deferral: past the job's retry limits it becomes failed, keeping the reply that
     * deferred it; otherwise its wait is spread by {@code jitter} (a fraction in -0.2..0.2) so that many
     * recipients deferred together do not all come back in the same second.
     */
    static Outcome withRetryLimits(Outcome o, RetryRules rules, int attemptsAfter, Instant firstAttempt, Instant now, double jitter) {
        if (o.status() != RecipientStatus.DEFERRED) return o;
        Duration tried = firstAttempt == null ? Duration.ZERO : Duration.between(firstAttempt, now);
        if (attemptsAfter >= rules.maxAttempts() || tried.compareTo(rules.giveUpAfter()) >= 0) {
            String why = "gave up after " + attemptsAfter + " attempt(s) over " + JobFile.human(tried) + " (retry.max-attempts "
                    + rules.maxAttempts() + ", retry.give-up-after " + JobFile.human(rules.giveUpAfter()) + ")";
            return new Outcome(RecipientStatus.FAILED, o.reply(), o.failure() == null ? why : o.failure() + "; " + why, null);
        }
        Duration wait = Duration.between(now, o.notBefore());
        Instant retry = wait.isZero() ? o.notBefore() : now.plus(wait.plusMillis((long) (wait.toMillis() * jitter)));
        return new Outcome(o.status(), o.reply(), o.failure(), retry);
    }
}
