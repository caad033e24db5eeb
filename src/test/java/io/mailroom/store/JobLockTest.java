package io.mailroom.store;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mailroom.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The job lock (a connection of its own), on H2 and PostgreSQL. */
class JobLockTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aLockWhoseRowCannotBeStoredFailsInsteadOfLockingNothing(TestDatabase kind) throws Exception {
        // longer than job_locks.name holds (job files are refused before this; Store.lock takes any string)
        String name = "j".repeat(201);
        try (Store store = Store.open(kind.newUrl(dir))) {
            assertThrows(SQLException.class, () -> store.lock(name).close());
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aHeldLockIsBusyForAnotherTakerAndFreeOnceClosed(TestDatabase kind) throws Exception {
        try (Store store = Store.open(kind.newUrl(dir))) {
            JobLock held = store.lock("news");
            assertThrows(JobBusyException.class, () -> JobLock.take(store.database(), "news", 100));
            held.close();
            JobLock.take(store.database(), "news", 100).close();
        }
    }
}
