package io.mailroom.store;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** The job lock, on a named in-memory database (the lock takes a connection of its own). */
class JobLockTest {
    @Test
    void aLockWhoseRowCannotBeStoredFailsInsteadOfLockingNothing() throws Exception {
        // longer than job_locks.name holds (job files are refused before this; Store.lock takes any string)
        String name = "j".repeat(201);
        try (Store store = Store.open("jdbc:h2:mem:job-lock-test")) {
            assertThrows(SQLException.class, () -> store.lock(name).close());
        }
    }
}
