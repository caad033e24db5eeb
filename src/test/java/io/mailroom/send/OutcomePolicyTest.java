package io.mailroom.send;

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
import io.mailroom.store.Address;
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

    /** {@code n} addresses of a row, each tried {@code attempts} times before. */
    private static List<Address> addresses(int n, int attempts) {
        return java.util.stream.IntStream.rangeClosed(1, n).mapToObj(i -> new Address(i, "to", "r" + i + "@x.com", RecipientStatus.PENDING,
                attempts, null, null, null, null, null)).toList();
    }

    private static Outcome only(java.util.Map<Integer, Outcome> outcomes) {
        assertEquals(1, outcomes.size());
        return outcomes.get(1);
    }

    /** Per carried address, in RCPT order: its status and the code of the reply that decided it. */
    private record Case(List<Exchange> exchanges, List<RecipientStatus> statuses, List<Integer> codes) { }

    @Test
    void everyReplySequenceGivesEachAddressOneStatusAndItsDecidingReply() {
        List<Case> table = List.of(
                new Case(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 250), ex(Step.DATA, 354), ex(Step.END_OF_DATA, 250)), List.of(SENT), List.of(250)),
                new Case(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 250), ex(Step.DATA, 354), ex(Step.END_OF_DATA, 451)), List.of(DEFERRED), List.of(451)),
                new Case(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 250), ex(Step.DATA, 354), ex(Step.END_OF_DATA, 554)), List.of(FAILED), List.of(554)),
                new Case(List.of(ex(Step.MAIL, 550)), List.of(FAILED, FAILED), List.of(550, 550)),
                new Case(List.of(ex(Step.MAIL, 421)), List.of(DEFERRED), List.of(421)),
                new Case(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 550)), List.of(FAILED), List.of(550)),
                new Case(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 550), ex(Step.RCPT, 450)), List.of(FAILED, DEFERRED), List.of(550, 450)),
                new Case(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 550), ex(Step.RCPT, 250), ex(Step.DATA, 354), ex(Step.END_OF_DATA, 250)),
                        List.of(FAILED, SENT), List.of(550, 250)),
                new Case(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 250), ex(Step.RCPT, 451), ex(Step.DATA, 354), ex(Step.END_OF_DATA, 250)),
                        List.of(SENT, DEFERRED), List.of(250, 451)),
                new Case(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 250), ex(Step.DATA, 554)), List.of(FAILED), List.of(554)),
                new Case(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 250), ex(Step.DATA, 451)), List.of(DEFERRED), List.of(451)),
                // pipelined: the server answers DATA even when it refused every RCPT, or MAIL
                new Case(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 450), ex(Step.DATA, 554)), List.of(DEFERRED), List.of(450)),
                new Case(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 550), ex(Step.DATA, 554)), List.of(FAILED), List.of(550)),
                new Case(List.of(ex(Step.MAIL, 451), ex(Step.RCPT, 503), ex(Step.DATA, 503)), List.of(DEFERRED), List.of(451)),
                // a 421 closes the session: what a server says after it (pipelined) decides nothing, the accepted are deferred
                new Case(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 250), ex(Step.RCPT, 421), ex(Step.DATA, 554)), List.of(DEFERRED, DEFERRED),
                        List.of(421, 421)),
                new Case(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 421), ex(Step.RCPT, 250), ex(Step.DATA, 354), ex(Step.END_OF_DATA, 250)),
                        List.of(DEFERRED, DEFERRED), List.of(421, 421)),
                new Case(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 550), ex(Step.RCPT, 421), ex(Step.DATA, 503)), List.of(FAILED, DEFERRED),
                        List.of(550, 421)));
        for (Case c : table) {
            var outcomes = OutcomePolicy.afterDelivery(new Delivery(c.exchanges()), addresses(c.statuses().size(), 0), NOW);
            for (int i = 0; i < c.statuses().size(); i++) {
                Outcome o = outcomes.get(i + 1);
                assertEquals(c.statuses().get(i), o.status(), c + " address " + (i + 1));
                assertEquals(c.codes().get(i), o.reply().code(), c + " address " + (i + 1));
                if (o.status() != DEFERRED) assertNull(o.notBefore());
                else if (o.reply().code() == 421) assertEquals(NOW, o.notBefore(), "421 closes the session, not the message: retry at once");
                else assertEquals(NOW.plus(Duration.ofMinutes(1)), o.notBefore());
            }
        }
    }

    @Test
    void aConnectionLostAfterTheDotLeavesTheAddressesTheServerRefusedWithTheirReplyAndTheAcceptedUnknown() {
        SmtpIOException e = new SmtpIOException(Step.END_OF_DATA, List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 550), ex(Step.RCPT, 250),
                ex(Step.DATA, 354)), new IOException("reset"));
        var outcomes = OutcomePolicy.afterIoFailure(e, addresses(2, 0), NOW);
        assertEquals(FAILED, outcomes.get(1).status());
        assertEquals(550, outcomes.get(1).reply().code());
        assertEquals(UNKNOWN, outcomes.get(2).status(), "only an address in the envelope of an unanswered dot is unknown");
    }

    @Test
    void connectionLostAfterTheFinalDotIsUnknownAndBeforeItDeferred() {
        for (Step step : Step.values()) {
            SmtpIOException e = new SmtpIOException(step, List.of(), new IOException("reset"));
            Outcome o = only(OutcomePolicy.afterIoFailure(e, addresses(1, 0), NOW));
            assertEquals(step == Step.END_OF_DATA ? UNKNOWN : DEFERRED, o.status(), step.name());
            assertNull(o.reply(), "no reply decided it");
            assertTrue(o.failure().contains(step.name()), o.failure());
        }
    }

    @Test
    void sessionFailuresRetryAtOnceTwiceThenBackOff() {
        SmtpIOException lost = new SmtpIOException(Step.DATA, List.of(), new IOException("reset"));
        assertEquals(NOW, only(OutcomePolicy.afterIoFailure(lost, addresses(1, 0), NOW)).notBefore());
        assertEquals(NOW, only(OutcomePolicy.afterIoFailure(lost, addresses(1, 1), NOW)).notBefore());
        assertEquals(NOW.plus(Duration.ofMinutes(4)), only(OutcomePolicy.afterIoFailure(lost, addresses(1, 2), NOW)).notBefore());
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
        Outcome deferred = only(OutcomePolicy.afterDelivery(new Delivery(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 451))), addresses(1, 1), NOW));
        assertEquals(DEFERRED, OutcomePolicy.withRetryLimits(deferred, rules, 2, NOW.minus(Duration.ofHours(1)), NOW, 0).status());

        Outcome byCount = OutcomePolicy.withRetryLimits(deferred, rules, 3, NOW.minus(Duration.ofHours(1)), NOW, 0);
        assertEquals(FAILED, byCount.status());
        assertEquals(451, byCount.reply().code());
        assertTrue(byCount.failure().contains("gave up after 3 attempt(s)"), byCount.failure());

        Outcome byAge = OutcomePolicy.withRetryLimits(deferred, rules, 2, NOW.minus(Duration.ofDays(6)), NOW, 0);
        assertEquals(FAILED, byAge.status());
        assertTrue(byAge.failure().contains("over 6d"), byAge.failure());

        Outcome sent = only(OutcomePolicy.afterDelivery(new Delivery(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 250), ex(Step.DATA, 354),
                ex(Step.END_OF_DATA, 250))), addresses(1, 9), NOW));
        assertEquals(SENT, OutcomePolicy.withRetryLimits(sent, rules, 10, NOW.minus(Duration.ofDays(9)), NOW, 0).status(), "limits only end retries");
    }

    @Test
    void jitterSpreadsTheWaitByAtMostAFifth() {
        Outcome deferred = only(OutcomePolicy.afterDelivery(new Delivery(List.of(ex(Step.MAIL, 250), ex(Step.RCPT, 451))), addresses(1, 3), NOW));
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

    @Test
    void aRowRollsUpItsAddresses() {
        assertEquals(SENT, RecipientStatus.rollUp(List.of(SENT, SENT)));
        assertEquals(RecipientStatus.PARTIAL, RecipientStatus.rollUp(List.of(FAILED, SENT)));
        assertEquals(RecipientStatus.PARTIAL, RecipientStatus.rollUp(List.of(SENT, UNKNOWN)));
        assertEquals(DEFERRED, RecipientStatus.rollUp(List.of(SENT, DEFERRED, FAILED)), "unfinished while an address is left to try");
        assertEquals(RecipientStatus.PENDING, RecipientStatus.rollUp(List.of(DEFERRED, RecipientStatus.PENDING)));
        assertEquals(FAILED, RecipientStatus.rollUp(List.of(FAILED, FAILED)));
        assertEquals(UNKNOWN, RecipientStatus.rollUp(List.of(FAILED, UNKNOWN)));
    }
}
