package io.mailroom.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.smtp.SmtpReply;
import io.mailroom.testing.PostgresServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Workers sharing a job in a real PostgreSQL: claims never overlap, a lease that passes (the time is the
 * test's, not the clock's) hands the worker's rows to the others — due again, or unknown where its mark says
 * the final "." may have gone — and the worker that lost it can neither mark nor record anything more.
 */
class ClaimsTest {
    private static final Instant T = Instant.parse("2026-12-02T09:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(60);

    private Store store;
    private long jobId;
    private final List<Long> ids = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        store = Store.open(PostgresServer.withPassword(PostgresServer.get().newDatabase()));
        jobId = store.createJob("shared", T, "/jobs/shared.job", "{}", List.of("email"), "email").id();
        for (int i = 1; i <= 10; i++) {
            Address a = new Address(1, "to", "u" + i + "@example.com", RecipientStatus.PENDING, 0, null, null, null, null, null);
            store.insertRecipient(jobId, new NewRecipient(i + 1, "u" + i + "@example.com", List.of("u" + i + "@example.com"),
                    List.of("u" + i + "@example.com"), "<" + i + "@example.com>", RecipientStatus.PENDING, null, List.of(a)), T);
        }
        store.commit();
        store.recipients(jobId).forEach(r -> ids.add(r.id()));
    }

    private Claims worker(String id, Instant at) throws Exception {
        return Claims.register(store.database(), jobId, id, "host-" + id, 1, at, LEASE);
    }

    private static Map<Integer, Outcome> sent() {
        return Map.of(1, new Outcome(RecipientStatus.SENT, new SmtpReply(250, "2.0.0", List.of("ok")), null, null));
    }

    @Test
    void twoWorkersNeverClaimTheSameRow() throws Exception {
        try (Claims a = worker("a", T); Claims b = worker("b", T)) {
            Set<Long> seen = new HashSet<>();
            List<Long> first = a.claim(RecipientStatus.PENDING, T, 4);
            List<Long> second = b.claim(RecipientStatus.PENDING, T, 4);
            List<Long> third = a.claim(RecipientStatus.PENDING, T, 4);
            for (List<Long> got : List.of(first, second, third)) for (long id : got) assertTrue(seen.add(id), "row " + id + " claimed twice");
            assertEquals(10, seen.size());
            assertTrue(b.claim(RecipientStatus.PENDING, T, 4).isEmpty(), "all are held");
        }
    }

    @Test
    void aPassedLeaseHandsTheRowsOnAndTheWorkerThatLostItCanRecordNothing() throws Exception {
        try (Claims a = worker("a", T); Claims b = worker("b", T)) {
            List<Long> held = a.claim(RecipientStatus.PENDING, T, 3);
            assertTrue(a.markDot(held.get(0), T.plusSeconds(1)), "its final \".\" goes out next");

            Instant later = T.plus(LEASE).plusSeconds(30);
            assertTrue(b.heartbeat(T.plusSeconds(45)) && b.heartbeat(later.minusSeconds(20)), "b keeps its lease");
            // a's lease passed at T+60 s: b settles a's marked row as unknown and may claim the other two
            assertEquals(1, b.settleDead(later));
            List<Long> taken = b.claim(RecipientStatus.PENDING, later, 10);
            assertTrue(taken.containsAll(held.subList(1, 3)) && !taken.contains(held.get(0)), "a's unmarked rows are due again: " + taken);
            Recipient doubtful = store.attempts().recipients(List.of(held.get(0))).get(0);
            assertEquals(RecipientStatus.UNKNOWN, doubtful.status());
            assertEquals(RecipientStatus.UNKNOWN, doubtful.addresses().get(0).status());

            assertFalse(a.heartbeat(later), "a learns at its next heartbeat that its lease passed");
            assertFalse(a.markDot(held.get(1), later), "and may not send a row b holds now");
            Attempts asA = store.attempts().forWorker("a");
            Recipient r = asA.recipients(List.of(held.get(1))).get(0);
            long run = asA.beginRun(jobId, "run", "smtp:25", false, later);
            assertThrows(LeaseLostException.class, () -> asA.record(r, run, 1, "1.1", later, null, sent(), List.of(), later));
            store.rollback();

            Attempts asB = store.attempts().forWorker("b");
            asB.record(r, asB.beginRun(jobId, "run", "smtp:25", false, later), 1, "2.1", later, null, sent(), List.of(), later);
            store.commit();
            assertEquals(RecipientStatus.SENT, store.attempts().recipients(List.of(held.get(1))).get(0).status());
        }
    }

    @Test
    void aWorkerWithNothingToClaimSeesWhetherOthersStillHoldRowsAndWhetherTheyAreGone() throws Exception {
        try (Claims a = worker("a", T); Claims b = worker("b", T)) {
            assertEquals(Claims.Held.NOTHING, b.othersHold(T));
            a.claim(RecipientStatus.PENDING, T, 10);
            assertEquals(Claims.Held.NOTHING, a.othersHold(T), "its own rows are not others'");
            assertEquals(Claims.Held.BY_LIVE_WORKERS, b.othersHold(T), "b waits for a's rows");
            assertEquals(Claims.Held.BY_A_GONE_WORKER, b.othersHold(T.plus(LEASE).plusSeconds(1)), "a's lease has passed");
            a.release(T.plusSeconds(5));
            assertEquals(Claims.Held.NOTHING, b.othersHold(T.plusSeconds(5)));
        }
    }
}
