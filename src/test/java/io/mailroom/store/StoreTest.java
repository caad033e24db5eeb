package io.mailroom.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailroom.smtp.SmtpReply;
import io.mailroom.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The store's statements, the same on H2 and PostgreSQL: what goes in comes back as it went in, in the order the sender needs. */
class StoreTest {
    private static final Instant T = Instant.parse("2026-12-02T09:00:00Z");

    @TempDir
    Path dir;

    private static Address pending(int seq, String kind, String address) {
        return new Address(seq, kind, address, RecipientStatus.PENDING, 0, null, null, null, null, null);
    }

    private static void insert(Store store, long jobId, int row, Address... addresses) throws Exception {
        String to = addresses[0].address();
        store.insertRecipient(jobId, new NewRecipient(row, to, List.of(to, "Zoë ✓"), List.of(to), "<" + row + "@example.com>", RecipientStatus.PENDING,
                null, List.of(addresses)), T);
    }

    private static Outcome outcome(RecipientStatus status, int code, String enhanced, String text, Instant notBefore) {
        return new Outcome(status, new SmtpReply(code, enhanced, List.of(text)), status == RecipientStatus.FAILED ? text : null, notBefore);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aJobsSnapshotComesBackByteForByte(TestDatabase kind) throws Exception {
        byte[] attachment = new byte[70_000];
        for (int i = 0; i < attachment.length; i++) attachment[i] = (byte) i;
        String settings = "{\"subject\": \"Grüße ✓ " + "x".repeat(20_000) + "\"}";
        String url = kind.newUrl(dir);
        try (Store store = Store.open(url)) {
            long jobId = store.createJob("news", T, "/jobs/news.job", settings, List.of("email", "naïve name"), "email").id();
            store.putFile(jobId, "attachment", "files/report.pdf", attachment);
            insert(store, jobId, 2, pending(1, "to", "ana@example.com"));
            store.commit();
        }
        try (Store store = Store.open(url)) {
            JobRecord job = store.job("news").orElseThrow();
            assertEquals(settings, job.settings());
            assertEquals(List.of("email", "naïve name"), job.header());
            assertArrayEquals(attachment, store.file(job.id(), "attachment", "files/report.pdf").orElseThrow());
            Recipient r = store.recipients(job.id()).get(0);
            assertEquals(List.of("ana@example.com", "Zoë ✓"), r.values());
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void dueRowsComeInRowOrderAPageAtATimeAndADeferredOneOnlyOnceDue(TestDatabase kind) throws Exception {
        try (Store store = Store.open(kind.newUrl(dir))) {
            long jobId = store.createJob("news", T, "/jobs/news.job", "{}", List.of("email"), "email").id();
            for (int row : new int[] {5, 2, 4, 3, 6}) insert(store, jobId, row, pending(1, "to", "u" + row + "@example.com"));
            store.commit();
            Attempts attempts = store.attempts();

            List<Recipient> first = attempts.duePage(jobId, RecipientStatus.PENDING, T, Integer.MIN_VALUE, Long.MIN_VALUE, 2);
            Recipient last = first.get(1);
            List<Recipient> second = attempts.duePage(jobId, RecipientStatus.PENDING, T, last.row(), last.id(), 2);
            assertEquals(List.of(2, 3, 4, 5), java.util.stream.Stream.concat(first.stream(), second.stream()).map(Recipient::row).toList());

            long run = attempts.beginRun(jobId, "run", "smtp.example.com:587", false, T);
            Instant retry = T.plus(Duration.ofMinutes(10));
            attempts.record(first.get(0), run, 1, "1.1", T, null, Map.of(1, outcome(RecipientStatus.DEFERRED, 451, "4.3.0", "try later", retry)), List.of(), T);
            attempts.commit();
            assertEquals(List.of(), attempts.duePage(jobId, RecipientStatus.DEFERRED, T.plusSeconds(599), Integer.MIN_VALUE, Long.MIN_VALUE, 10));
            assertEquals(List.of(2), attempts.duePage(jobId, RecipientStatus.DEFERRED, retry, Integer.MIN_VALUE, Long.MIN_VALUE, 10).stream()
                    .map(Recipient::row).toList());
            assertEquals(retry, store.nextDue(jobId).orElseThrow());
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void eachAddressKeepsItsOwnOutcomeAndTheRowSumsThemUp(TestDatabase kind) throws Exception {
        try (Store store = Store.open(kind.newUrl(dir))) {
            long jobId = store.createJob("news", T, "/jobs/news.job", "{}", List.of("email"), "email").id();
            insert(store, jobId, 2, pending(1, "to", "ana@example.com"), pending(2, "cc", "gone@example.com"), pending(3, "bcc", "later@example.com"));
            store.commit();
            Attempts attempts = store.attempts();
            Recipient r = store.recipients(jobId).get(0);
            long run = attempts.beginRun(jobId, "run", "smtp.example.com:587", false, T);

            attempts.record(r, run, 1, "1.1", T, null, Map.of(1, outcome(RecipientStatus.SENT, 250, "2.0.0", "queued", null),
                    2, outcome(RecipientStatus.FAILED, 550, "5.1.1", "no such user", null),
                    3, outcome(RecipientStatus.DEFERRED, 450, "4.2.0", "mailbox busy", T.plusSeconds(60))), List.of(), T);
            attempts.commit();

            Recipient after = store.recipients(jobId).get(0);
            assertEquals(List.of(RecipientStatus.SENT, RecipientStatus.FAILED, RecipientStatus.DEFERRED),
                    after.addresses().stream().map(Address::status).toList());
            assertEquals(RecipientStatus.DEFERRED, after.status(), "one address is still due: the row is");
            assertEquals(Map.of(RecipientStatus.DEFERRED, 1), withoutZeros(store.counts(jobId)));
            assertEquals(1, attempts.attemptsSince(jobId, "smtp.example.com:587", T.minusSeconds(1)).size());
            assertEquals(3, attempts.attemptsSince(jobId, "smtp.example.com:587", T.minusSeconds(1)).get(0).recipients(),
                    "rate limits count the three addresses the envelope carried");
        }
    }

    private static Map<RecipientStatus, Integer> withoutZeros(Map<RecipientStatus, Integer> counts) {
        Map<RecipientStatus, Integer> out = new java.util.EnumMap<>(RecipientStatus.class);
        counts.forEach((k, v) -> {
            if (v != 0) out.put(k, v);
        });
        return out;
    }
}
