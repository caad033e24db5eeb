package io.mailroom.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailroom.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The rate ledger on H2 and PostgreSQL: senders on one account, each with a ledger of its own, check and
 * count in one step, so together they never count more than a limit allows; a job-scoped one counts its
 * job alone; sends no window needs any more are deleted.
 */
class RateLedgerTest {
    private static final Instant T = Instant.parse("2026-12-02T09:00:00Z");
    private static final String ACCOUNT = "smtp.example.com:587 as news";
    private static final Duration WINDOW = Duration.ofMinutes(1);

    @TempDir
    Path dir;

    /** A sender's view of a limit of {@code limit} messages: what it has been told about, and whether one more fits. */
    private static final class Sender {
        final List<RateLedger.Send> known = new ArrayList<>();
        final int limit;

        Sender(int limit) {
            this.limit = limit;
        }

        RateLedger.Decision oneMore() {
            return newer -> {
                known.addAll(newer);
                if (known.size() >= limit) return Duration.ofSeconds(1);
                known.add(new RateLedger.Send(T, 1));
                return Duration.ZERO;
            };
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void sendersOnOneAccountTogetherNeverCountMoreThanTheLimit(TestDatabase kind) throws Exception {
        try (Store store = Store.open(kind.newUrl(dir))) {
            long jobId = store.createJob("news", T, "/jobs/news.job", "{}", List.of("email"), "email").id();
            store.commit();
            ExecutorService threads = Executors.newFixedThreadPool(4);
            List<Future<Integer>> taken = new ArrayList<>();
            for (int s = 0; s < 4; s++) {
                taken.add(threads.submit(() -> {
                    Sender sender = new Sender(25);
                    int went = 0;
                    try (RateLedger ledger = RateLedger.open(store.database(), ACCOUNT, jobId, false, WINDOW)) {
                        for (int i = 0; i < 20; i++) if (ledger.take(T, 1, sender.oneMore()).isZero()) went++;
                    }
                    return went;
                }));
            }
            int total = 0;
            for (Future<Integer> f : taken) total += f.get();
            threads.shutdown();

            assertEquals(25, total, "4 senders tried 80 in one window of 25");
            assertEquals(25, RateLedger.sends(store.database().connect(), ACCOUNT, jobId, false, T.minus(WINDOW)).size());
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aJobScopedLedgerCountsItsOwnJobAloneAndAnAccountOneCountsEveryJob(TestDatabase kind) throws Exception {
        try (Store store = Store.open(kind.newUrl(dir))) {
            long news = store.createJob("news", T, "/jobs/news.job", "{}", List.of("email"), "email").id();
            long offers = store.createJob("offers", T, "/jobs/offers.job", "{}", List.of("email"), "email").id();
            store.commit();
            Sender newsSender = new Sender(3);
            try (RateLedger n = RateLedger.open(store.database(), ACCOUNT, news, false, WINDOW)) {
                for (int i = 0; i < 2; i++) n.take(T, 1, newsSender.oneMore());
            }

            Sender jobOnly = new Sender(3);
            try (RateLedger o = RateLedger.open(store.database(), ACCOUNT, offers, true, WINDOW)) {
                o.take(T, 1, jobOnly.oneMore());
                assertEquals(1, jobOnly.known.size(), "the news job's two don't count for a job-scoped limit");
            }
            Sender accountWide = new Sender(3);
            try (RateLedger o = RateLedger.open(store.database(), ACCOUNT, offers, false, WINDOW)) {
                assertEquals(Duration.ofSeconds(1), o.take(T, 1, accountWide.oneMore()), "two of news, one of offers: the account's 3 are used");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void sendsOlderThanTheAccountsLongestWindowAreDeleted(TestDatabase kind) throws Exception {
        try (Store store = Store.open(kind.newUrl(dir))) {
            long jobId = store.createJob("news", T, "/jobs/news.job", "{}", List.of("email"), "email").id();
            store.commit();
            try (RateLedger daily = RateLedger.open(store.database(), ACCOUNT, jobId, false, Duration.ofDays(1))) {
                daily.take(T, 1, newer -> Duration.ZERO);
            }
            try (RateLedger minute = RateLedger.open(store.database(), ACCOUNT, jobId, false, WINDOW)) {
                minute.take(T.plus(Duration.ofHours(2)), 1, newer -> Duration.ZERO);
            }
            assertEquals(2, RateLedger.sends(store.database().connect(), ACCOUNT, jobId, false, T.minusSeconds(1)).size(),
                    "a job on the account counts a day: the two-hour-old send is kept");

            try (RateLedger later = RateLedger.open(store.database(), ACCOUNT, jobId, false, WINDOW)) {
                later.take(T.plus(Duration.ofHours(27)), 1, newer -> Duration.ZERO);
            }
            assertEquals(1, RateLedger.sends(store.database().connect(), ACCOUNT, jobId, false, T.minusSeconds(1)).size(),
                    "more than a day after both, only the newest is left");
        }
    }
}
