package io.mailroom.send;

import io.mailroom.smtp.Delivery;
import io.mailroom.smtp.Exchange;
import io.mailroom.smtp.SmtpIOException;
import io.mailroom.smtp.SmtpReply;
import io.mailroom.smtp.Step;
import io.mailroom.store.Address;
import io.mailroom.store.Outcome;
import io.mailroom.store.RecipientStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * THE outcome policy: the only place that decides an address's status from what the server did (the
 * row's status is their roll-up, {@link RecipientStatus#rollUp}). A RCPT refused 5xx → that address
 * failed, 4xx → deferred (retried with backoff); the accepted ones get the verdict of the end of DATA:
 * 2xx sent, 4xx deferred, 5xx failed. A connection lost before the final "." → deferred; lost after it →
 * unknown (the server may have the message). A message larger than the server's SIZE fails them all.
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

    /**
     * Each carried address's outcome: a refused MAIL decides them all; a refused RCPT decides its address
     * (5xx failed, 4xx deferred); the addresses whose RCPT was accepted get the verdict of DATA when it was
     * refused, else of the final "."; a 421 anywhere is the last word for every address not refused before it.
     */
    static Map<Integer, Outcome> afterDelivery(Delivery d, List<Address> carried, Instant now) {
        Map<Integer, Outcome> out = new LinkedHashMap<>();
        List<Exchange> all = d.exchanges();
        SmtpReply mail = all.get(0).reply();
        // a 421 closes the session (RFC 5321 3.8): what a pipelined server answers after it decides nothing
        SmtpReply verdict = d.last().reply();
        List<SmtpReply> rcpts = new ArrayList<>();
        for (Exchange e : all) {
            if (e.step() == Step.RCPT) rcpts.add(e.reply());
            if (e.reply().isClosing()) {
                verdict = e.reply();
                break;
            }
        }
        for (int i = 0; i < carried.size(); i++) {
            Address a = carried.get(i);
            SmtpReply rcpt = i < rcpts.size() ? rcpts.get(i) : null;
            SmtpReply decisive = !mail.isPositive() ? mail : rcpt != null && !rcpt.isPositive() ? rcpt : verdict;
            out.put(a.seq(), afterReply(decisive, a.attempts(), now));
        }
        return out;
    }

    private static Outcome afterReply(SmtpReply r, int attemptsBefore, Instant now) {
        RecipientStatus status = afterReply(r);
        Instant retry = status != RecipientStatus.DEFERRED ? null : r.isClosing() ? soon(attemptsBefore, now) : retryAt(attemptsBefore, now);
        return new Outcome(status, r, null, retry);
    }

    /**
     * The connection failed: an address the server had already refused keeps that verdict; the others are
     * deferred when it failed before the final ".", unknown after it (the server may have the message). A
     * server that broke the protocol decided nothing in that round.
     */
    static Map<Integer, Outcome> afterIoFailure(SmtpIOException e, List<Address> carried, Instant now) {
        Map<Integer, Outcome> out = new LinkedHashMap<>();
        List<Exchange> done = e.isProtocolError() ? List.of() : e.completed();
        SmtpReply mail = done.isEmpty() ? null : done.get(0).reply();
        List<Exchange> rcpts = done.stream().filter(x -> x.step() == Step.RCPT).toList();
        RecipientStatus status = afterIoFailure(e.step());
        for (int i = 0; i < carried.size(); i++) {
            Address a = carried.get(i);
            SmtpReply refused = mail != null && refuses(mail) ? mail : i < rcpts.size() && refuses(rcpts.get(i).reply()) ? rcpts.get(i).reply() : null;
            // no reply decided this: the failure text says what happened, the attempt keeps the replies read so far
            out.put(a.seq(), refused != null ? afterReply(refused, a.attempts(), now)
                    : new Outcome(status, null, e.getMessage(), status == RecipientStatus.DEFERRED ? soon(a.attempts(), now) : null));
        }
        return out;
    }

    /** A 4xx or 5xx: a verdict. Anything else out of place is a protocol error, which decides nothing. */
    private static boolean refuses(SmtpReply r) {
        return r.code() >= 400;
    }

    static final String NEEDS_SMTPUTF8 = "an address has non-ASCII characters before the @, which needs SMTPUTF8, and the server does not offer it";

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
            String why = "gave up after " + attemptsAfter + " attempt(s) over " + human(tried) + " (retry.max-attempts "
                    + rules.maxAttempts() + ", retry.give-up-after " + human(rules.giveUpAfter()) + ")";
            return new Outcome(RecipientStatus.FAILED, o.reply(), o.failure() == null ? why : o.failure() + "; " + why, null);
        }
        Duration wait = Duration.between(now, o.notBefore());
        Instant retry = wait.isZero() ? o.notBefore() : now.plus(wait.plusMillis((long) (wait.toMillis() * jitter)));
        return new Outcome(o.status(), o.reply(), o.failure(), retry);
    }

    private static String human(Duration d) {
        if (d.toDays() > 0) return d.toDays() + "d";
        if (d.toHours() > 0) return d.toHours() + "h";
        if (d.toMinutes() > 0) return d.toMinutes() + "m";
        return d.toSeconds() + "s";
    }
}
