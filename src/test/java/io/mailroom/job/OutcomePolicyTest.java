package io.mailroom.job;

import static io.mailroom.store.RecipientStatus.DEFERRED;
import static io.mailroom.store.RecipientStatus.FAILED;
import static io.mailroom.store.RecipientStatus.SENT;
import static io.mailroom.store.RecipientStatus.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.smtp.Delivery;
import io.mailroom.smtp.Exchange;
import io.mailroom.smtp.SmtpIOException;
import io.mailroom.smtp.SmtpReply;
import io.mailroom.smtp.Step;
import io.mailroom.store.Outcome;
import io.mailroom.store.RecipientStatus;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutcomePolicyTest {
    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    private static Exchange ex(Step step, int code) {
        return new Exchange(step, step == Step.RCPT ? "r@x.com" : null, SmtpReply.of(code, null, "t" + code));
    }

    private record Case(List<Exchange> exchanges, RecipientStatus status, int decidingCode) { }

    @Test
    void everyReplySequenceMapsToOneStatusAndItsDecidingReply() {
        List<Case> table = List.of(
                new Case(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 250), ex(Step.DATA, 354), ex(Step.END_OF_DATA, 250)), SENT, 250),
                new Case(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 250), ex(Step.DATA, 354), ex(Step.END_OF_DATA, 451)), DEFERRED, 451),
                new Case(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 250), ex(Step.DATA, 354), ex(Step.END_OF_DATA, 554)), FAILED, 554),
                new Case(List.of(ex(Step.MAIL, 550)), FAILED, 550),
                new Case(List.of(ex(Step.MAIL, 421)), DEFERRED, 421),
                new Case(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 550)), FAILED, 550),
                new Case(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 550), ex(Step.RCPT, 450)), DEFERRED, 450),
                new Case(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 550), ex(Step.RCPT, 250), ex(Step.DATA, 354), ex(Step.END_OF_DATA, 250)), SENT, 250),
                new Case(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 250), ex(Step.DATA, 554)), FAILED, 554),
                new Case(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 250), ex(Step.DATA, 451)), DEFERRED, 451),
                // pipelined: the server answers DATA even when it refused every RCPT, or MAIL
                new Case(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 450), ex(Step.DATA, 554)), DEFERRED, 450),
                new Case(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 550), ex(Step.DATA, 554)), FAILED, 550),
                new Case(List.of(ex(Step.MAIL, 451), ex(Step.RCPT, 503), ex(Step.DATA, 503)), DEFERRED, 451));
        for (Case c : table) {
            Outcome o = OutcomePolicy.afterDelivery(new Delivery(c.exchanges()), 0, NOW);
            assertEquals(c.status(), o.status(), c.toString());
            assertEquals(c.decidingCode(), o.reply().code(), c.toString());
            if (c.status() != DEFERRED) assertNull(o.notBefore());
            else if (c.decidingCode() == 421) assertEquals(NOW, o.notBefore(), "421 closes the session, not the message: retry at once");
            else assertEquals(NOW.plus(Duration.ofMinutes(1)), o.notBefore());
        }
    }

    @Test
    void connectionLostAfterTheFinalDotIsUnknownAndBeforeItDeferred() {
        for (Step step : Step.values()) {
            SmtpIOException e = new SmtpIOException(step, List.of(), new IOException("reset"));
            Outcome o = OutcomePolicy.afterIoFailure(e, 0, NOW);
            assertEquals(step == Step.END_OF_DATA ? UNKNOWN : DEFERRED, o.status(), step.name());
            assertNull(o.reply(), "no reply decided it");
            assertTrue(o.failure().contains(step.name()), o.failure());
        }
    }

    @Test
    void sessionFailuresRetryAtOnceTwiceThenBackOff() {
        SmtpIOException lost = new SmtpIOException(Step.DATA, List.of(), new IOException("reset"));
        assertEquals(NOW, OutcomePolicy.afterIoFailure(lost, 0, NOW).notBefore());
        assertEquals(NOW, OutcomePolicy.afterIoFailure(lost, 1, NOW).notBefore());
        assertEquals(NOW.plus(Duration.ofMinutes(4)), OutcomePolicy.afterIoFailure(lost, 2, NOW).notBefore());
    }

    @Test
    void messageOverTheServersSizeLimitFailsWithoutAReply() {
        Outcome o = OutcomePolicy.tooLarge(2000, 1000);
        assertEquals(FAILED, o.status());
        assertNull(o.reply());
        assertTrue(o.failure().contains("1000"), o.failure());
    }

    @Test
    void deferralPastTheAttemptLimitOrTheGiveUpAgeFailsWithTheReplyThatDeferredIt() {
        RetryRules rules = new RetryRules(3, Duration.ofDays(5));
        Outcome deferred = OutcomePolicy.afterDelivery(new Delivery(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 451))), 1, NOW);
        assertEquals(DEFERRED, OutcomePolicy.withRetryLimits(deferred, rules, 2, NOW.minus(Duration.ofHours(1)), NOW, 0).status());

        Outcome byCount = OutcomePolicy.withRetryLimits(deferred, rules, 3, NOW.minus(Duration.ofHours(1)), NOW, 0);
        assertEquals(FAILED, byCount.status());
        assertEquals(451, byCount.reply().code());
        assertTrue(byCount.failure().contains("gave up after 3 attempt(s)"), byCount.failure());

        Outcome byAge = OutcomePolicy.withRetryLimits(deferred, rules, 2, NOW.minus(Duration.ofDays(6)), NOW, 0);
        assertEquals(FAILED, byAge.status());
        assertTrue(byAge.failure().contains("over 6d"), byAge.failure());

        Outcome sent = OutcomePolicy.afterDelivery(new Delivery(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 250), ex(Step.DATA, 354),
                ex(Step.END_OF_DATA, 250))), 9, NOW);
        assertEquals(SENT, OutcomePolicy.withRetryLimits(sent, rules, 10, NOW.minus(Duration.ofDays(9)), NOW, 0).status(), "limits only end retries");
    }

    @Test
    void jitterSpreadsTheWaitByAtMostAFifth() {
        Outcome deferred = OutcomePolicy.afterDelivery(new Delivery(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 451))), 3, NOW);
        assertEquals(NOW.plus(Duration.ofMinutes(8)), deferred.notBefore());
        assertEquals(NOW.plus(Duration.ofMinutes(8).plusSeconds(96)),
                OutcomePolicy.withRetryLimits(deferred, RetryRules.DEFAULT, 4, NOW, NOW, 0.2).notBefore());
        assertEquals(NOW.plus(Duration.ofMinutes(8).minusSeconds(96)),
                OutcomePolicy.withRetryLimits(deferred, RetryRules.DEFAULT, 4, NOW, NOW, -0.2).notBefore());
    }

    @Test
    void backoffDoublesAndIsCappedAtAnHour() {
        assertEquals(NOW.plus(Duration.ofMinutes(1)), OutcomePolicy.retryAt(0, NOW));
        assertEquals(NOW.plus(Duration.ofMinutes(8)), OutcomePolicy.retryAt(3, NOW));
        assertEquals(NOW.plus(Duration.ofHours(1)), OutcomePolicy.retryAt(12, NOW));
    }
}
