package io.mailroom.send;

import io.mailroom.smtp.Mail;
import io.mailroom.store.Recipient;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * The due recipients in row order, each message composed ahead on a worker thread: rendering and MIME
 * are a fifth of the send loop's work, and the loop's own thread has the store and the socket to serve.
 * At most {@code depth} messages are composed and not yet taken, so big attachments stay few in memory.
 * Composing is pure (template, addresses, MIME; attachments read on a connection of its own): doing it
 * early changes nothing but the Date header (and a DKIM signature's t=), by a few milliseconds; where
 * messages wait for a rate limit the depth is 0 and each is composed on the caller's thread when taken.
 */
final class ComposeAhead implements AutoCloseable {
    /** Per lane: enough to keep a pipelined session busy while the composing thread catches up. */
    static final int DEPTH = 16;
    /** Bytes of messages composed ahead, at most (about). */
    static final long BUDGET = 32L << 20;

    /** A recipient with its message, or with the reason (problem) it cannot have one. */
    record Composed(Recipient recipient, Mail mail, String problem) { }

    private final Function<Recipient, Composed> compose;
    private final ExecutorService worker;
    private final int depth;
    private final long budget;
    /** How many to compose ahead now: 1 until a message's size is known, then as many as fit the budget. */
    private int window = 1;
    private volatile boolean closed;
    private final ArrayDeque<Recipient> waiting = new ArrayDeque<>();
    private final ArrayDeque<Pending> composing = new ArrayDeque<>();

    private record Pending(Recipient recipient, CompletableFuture<Composed> composed) { }

    ComposeAhead(Function<Recipient, Composed> compose, ExecutorService worker, int depth, long budget) {
        this.compose = compose;
        this.worker = worker;
        this.depth = depth;
        this.budget = budget;
    }

    /** Composing up to {@code depth} messages ahead on one daemon thread of its own. */
    static ComposeAhead onWorkerThread(Function<Recipient, Composed> compose, int depth) {
        return new ComposeAhead(compose, Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "mailroom-compose");
            t.setDaemon(true);
            return t;
        }), depth, BUDGET);
    }

    boolean isEmpty() {
        return waiting.isEmpty() && composing.isEmpty();
    }

    int size() {
        return waiting.size() + composing.size();
    }

    /** The recipient {@link #next} returns, without composing it; null when none is queued. */
    Recipient peek() {
        return !composing.isEmpty() ? composing.peek().recipient() : waiting.peek();
    }

    void addAll(Collection<Recipient> recipients) {
        waiting.addAll(recipients);
        topUp();
    }

    /**
     * The next recipient and its message, waiting for the worker if needed; null when none is queued.
     * A bug in composing is rethrown here, on the caller's thread.
     */
    Composed next() {
        topUp();
        Pending pending = composing.poll();
        if (pending == null) {
            Recipient r = waiting.poll();
            return r == null ? null : compose.apply(r);
        }
        Composed c;
        try {
            c = pending.composed().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
        if (c.mail() != null) window = (int) Math.max(1, Math.min(depth, budget / Math.max(1, c.mail().size())));
        topUp();
        return c;
    }

    /** A recipient taken but not sent goes back to the front, to be composed again when taken. */
    void putBack(Recipient r) {
        composing.addFirst(new Pending(r, CompletableFuture.supplyAsync(() -> closed ? null : compose.apply(r), worker)));
    }

    private void topUp() {
        while (composing.size() < Math.min(depth, window) && !waiting.isEmpty()) {
            Recipient r = waiting.poll();
            composing.add(new Pending(r, CompletableFuture.supplyAsync(() -> closed ? null : compose.apply(r), worker)));
        }
    }

    /**
     * What is still queued is dropped without being composed. No interrupt: an interrupted thread that
     * is reading an attachment would close the H2 file under the sender's connection too.
     */
    @Override
    public void close() {
        closed = true;
        worker.shutdown();
    }
}
