package io.mailroom.job;

import io.mailroom.send.Arrivals;

/**
 * The plan of a run, on a thread of its own: the planner commits its rows a batch at a time and the
 * engine sends each batch as it lands ({@link Arrivals}), so a big CSV starts going out after its first
 * rows instead of its last. The caller has checked the whole CSV can be read before (a file that breaks
 * halfway is refused with nothing sent).
 */
final class Planning implements Arrivals {
    private final Thread thread;
    private long batches;
    private boolean over;
    private Plan plan;
    private Exception failure;

    /** The planning itself: calls {@link #committed()} on the planning after each batch it commits, and commits the last one. */
    interface Work {
        Plan run(Planning planning) throws Exception;
    }

    /** {@code planned} hears of the plan when it ends well, on the planning thread. */
    Planning(java.util.function.Consumer<Plan> planned, Work work) {
        this.thread = new Thread(() -> {
            try {
                Plan result = work.run(this);
                planned.accept(result);
                finish(result, null);
            } catch (Exception e) {
                finish(null, e);
            } catch (Error e) {
                finish(null, new IllegalStateException("planning failed: " + e, e));
            }
        }, "mailroom-plan");
        thread.setDaemon(true);
    }

    Planning start() {
        thread.start();
        return this;
    }

    /** A batch of rows is committed: lanes waiting for rows may look again. */
    synchronized void committed() {
        batches++;
        notifyAll();
    }

    private synchronized void finish(Plan result, Exception e) {
        plan = result;
        failure = e;
        over = true;
        notifyAll();
    }

    /** Waits for the plan to end; its result, or its failure rethrown. */
    Plan result() throws Exception {
        thread.join();
        synchronized (this) {
            if (failure != null) throw failure;
            return plan;
        }
    }

    @Override public synchronized long batches() { return batches; }

    @Override public synchronized boolean over() { return over; }

    @Override public synchronized boolean failed() { return failure != null; }

    @Override
    public synchronized void awaitAfter(long seen, long atMostMillis) throws InterruptedException {
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(atMostMillis);
        while (!over && batches <= seen) {
            long left = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime());
            if (atMostMillis > 0 && left <= 0) return;
            wait(atMostMillis > 0 ? left : 0);
        }
    }
}
