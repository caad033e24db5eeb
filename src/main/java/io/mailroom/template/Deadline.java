package io.mailroom.template;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Ends a render that runs too long. FreeMarker stops between loop iterations when its thread is
 * interrupted (the checks {@link freemarker.core._CoreAPI#addThreadInterruptedChecks} adds), so the
 * watchdog interrupts the rendering thread at the deadline. The interrupt must never outlive the render:
 * the same thread reads attachments from H2 next, and an interrupt there would close the database file.
 * {@link Timer#end} therefore fences off the watchdog and clears a flag it set.
 *
 * <p>A render only joins a set the watchdog looks through every {@link #TICK_NANOS}: a job renders each row
 * in well under a millisecond, and a scheduled task per render (queued, cancelled, the watchdog woken each
 * time) cost more CPU than the render. A deadline is therefore kept to within a tick. The watchdog's one
 * thread exists only while renders are being timed and ends when idle.
 */
final class Deadline {
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Set<Timer> running = ConcurrentHashMap.newKeySet();
    private boolean watching;

    /** One render on the calling thread, interrupted after {@code millis}. */
    Timer start(long millis) {
        Timer t = new Timer(Thread.currentThread(), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis));
        running.add(t);
        synchronized (this) {
            if (!watching) {
                watching = true;
                Thread w = new Thread(this::watch, "mailroom-render-watchdog");
                w.setDaemon(true);
                w.start();
            }
        }
        return t;
    }

    private void watch() {
        long idleSince = System.nanoTime();
        while (true) {
            long now = System.nanoTime();
            for (Timer t : running) {
                if (now - t.due >= 0) t.fire();
            }
            if (!running.isEmpty()) idleSince = now;
            else if (now - idleSince >= IDLE_NANOS) {
                synchronized (this) {
                    // checked under the lock start() takes after adding, so a render added meanwhile keeps the watchdog
                    if (running.isEmpty()) {
                        watching = false;
                        return;
                    }
                }
            }
            LockSupport.parkNanos(TICK_NANOS);
        }
    }

    final class Timer {
        private final Thread thread;
        private final long due;
        private boolean ended;
        private boolean fired;

        private Timer(Thread thread, long due) {
            this.thread = thread;
            this.due = due;
        }

        private synchronized void fire() {
            if (ended || fired) return;
            fired = true;
            thread.interrupt();
        }

        /** Stops the watchdog for this render; true when it fired. Afterwards the thread is not interrupted by it. */
        synchronized boolean end() {
            ended = true;
            running.remove(this);
            if (fired) Thread.interrupted();
            return fired;
        }
    }
}
