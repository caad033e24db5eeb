package io.mailroom.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.send.ComposeAhead.Composed;
import io.mailroom.smtp.Mail;
import io.mailroom.smtp.UnsendableMessageException;
import io.mailroom.store.Recipient;
import io.mailroom.store.RecipientStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class ComposeAheadTest {
    private final List<Long> composed = new ArrayList<>();

    private final Function<Recipient, Composed> compose = r -> {
        composed.add(r.id());
        if (r.id() == 99) throw new IllegalStateException("a bug while composing row 99");
        if (r.id() == 7) return new Composed(r, null, "To: \"x\" is not an address");
        return new Composed(r, mail(r.id()), null);
    };

    private static Mail mail(long id) {
        try {
            return Mail.of("a@example.com", List.of("b" + id + "@example.com"), ("message " + id + "\r\n.\r\n").getBytes(StandardCharsets.US_ASCII));
        } catch (UnsendableMessageException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void composesInRowOrderAndNeverMoreThanItsDepthAheadOfTheSender() {
        ComposeAhead ahead = new ComposeAhead(compose, new DirectExecutor(), ComposeAhead.DEPTH, ComposeAhead.BUDGET);
        ahead.addAll(recipients(1, 6));
        ahead.addAll(recipients(8, 60));
        assertEquals(1, composed.size(), "composed before anything was taken: one, until a message's size is known");
        List<Long> taken = new ArrayList<>();
        for (Composed c; (c = ahead.next()) != null; ) {
            taken.add(c.recipient().id());
            assertTrue(composed.size() <= taken.size() + ComposeAhead.DEPTH, composed.size() + " composed after " + taken.size() + " taken");
        }
        assertEquals(LongStream.concat(LongStream.rangeClosed(1, 6), LongStream.rangeClosed(8, 60)).boxed().toList(), taken);
        assertTrue(ahead.isEmpty());
    }

    @Test
    void bigMessagesAreComposedOnlyAsFarAheadAsTheByteBudgetAllows() {
        int size = mail(201).size();
        ComposeAhead ahead = new ComposeAhead(compose, new DirectExecutor(), ComposeAhead.DEPTH, 2L * size);
        ahead.addAll(recipients(201, 240));
        for (int taken = 1; ahead.next() != null; taken++) {
            assertTrue(composed.size() <= taken + 2, composed.size() + " composed after " + taken + " taken");
        }
        assertEquals(40, composed.size());
    }

    @Test
    void aRecipientPutBackComesOutFirstComposedAgain() {
        // its first message carried that attempt's envelope (a VERP return path, DSN parameters); the next attempt makes its own
        ComposeAhead ahead = new ComposeAhead(compose, new DirectExecutor(), ComposeAhead.DEPTH, ComposeAhead.BUDGET);
        ahead.addAll(recipients(1, 3));
        Composed first = ahead.next();
        Composed second = ahead.next();
        ahead.putBack(second.recipient());
        ahead.putBack(first.recipient());
        Composed again = ahead.next();
        assertEquals(1, again.recipient().id());
        assertNotSame(first, again);
        assertEquals(2, ahead.next().recipient().id());
        assertEquals(3, ahead.next().recipient().id());
        assertNull(ahead.next());
        assertEquals(List.of(1L, 2L, 3L, 2L, 1L), composed, "each put back composed once more");
    }

    @Test
    void aRowThatCannotBeBuiltComesOutWithItsReasonInItsPlace() {
        ComposeAhead ahead = new ComposeAhead(compose, new DirectExecutor(), ComposeAhead.DEPTH, ComposeAhead.BUDGET);
        ahead.addAll(recipients(6, 8));
        assertEquals(List.of("b6@example.com"), ahead.next().mail().recipients());
        Composed bad = ahead.next();
        assertEquals(7, bad.recipient().id());
        assertNull(bad.mail());
        assertEquals("To: \"x\" is not an address", bad.problem());
        assertEquals(8, ahead.next().recipient().id());
    }

    @Test
    void aBugOnTheComposingThreadIsThrownOnTheSendersThreadWhenItsTurnComes() {
        try (ComposeAhead ahead = ComposeAhead.onWorkerThread(compose, ComposeAhead.DEPTH)) {
            ahead.addAll(recipients(98, 100));
            assertEquals(98, ahead.next().recipient().id());
            IllegalStateException e = assertThrows(IllegalStateException.class, ahead::next);
            assertEquals("a bug while composing row 99", e.getMessage());
            assertEquals(100, ahead.next().recipient().id());
        }
    }

    private static List<Recipient> recipients(long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(id -> new Recipient(id, (int) id, "k" + id, List.of(), List.of(), null,
                RecipientStatus.PENDING, null, 0, null, null, null, List.of())).toList();
    }

    @Test
    void withDepthZeroEachMessageIsComposedOnlyWhenTaken() {
        ComposeAhead ahead = new ComposeAhead(compose, new DirectExecutor(), 0, ComposeAhead.BUDGET);
        ahead.addAll(recipients(1, 3));
        assertEquals(List.of(), composed);
        assertEquals(1, ahead.next().recipient().id());
        assertEquals(List.of(1L), composed);
        assertEquals(2, ahead.next().recipient().id());
        assertEquals(List.of(1L, 2L), composed);
    }

    /** Runs each task at once on the caller's thread: what was composed is exactly what was asked for. */
    private static final class DirectExecutor extends AbstractExecutorService {
        private boolean shutdown;

        @Override public void execute(Runnable task) { task.run(); }
        @Override public void shutdown() { shutdown = true; }
        @Override public List<Runnable> shutdownNow() { shutdown = true; return List.of(); }
        @Override public boolean isShutdown() { return shutdown; }
        @Override public boolean isTerminated() { return shutdown; }
        @Override public boolean awaitTermination(long timeout, TimeUnit unit) { return true; }
    }
}
