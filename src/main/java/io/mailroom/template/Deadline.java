package io.mailroom.template;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Ends a render that runs too long. FreeMarker stops between loop iterations when its thread is
 * interrupted (the checks {@link freemarker.core._CoreAPI#addThreadInterruptedChecks} adds), so the
 * watchdog interrupts the rendering thread at the deadline. The interrupt must never outlive the render:
 * the same thread reads attachments from H2 next, and an interrupt there would close the database file.
 * {@link #end} therefore fences off the watchdog and clears a flag it set.
 *
 * <p>The watchdog's one thread exists only while renders are being timed and ends when idle.
 */
final class Deadline {
    private final ScheduledThreadPoolExecutor watchdog;

    Deadline() {
        watchdog = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "mailroom-render-watchdog");
            t.setDaemon(true);
            return t;
        });
        watchdog.setKeepAliveTime(10, TimeUnit.SECONDS);
        watchdog.allowCoreThreadTimeOut(true);
        watchdog.setRemoveOnCancelPolicy(true);
    }

    /** One render on the calling thread, interrupted after {@code millis}. */
    Timer start(long millis) {
        Timer t = new Timer(Thread.currentThread());
        t.task = watchdog.schedule(t::fire, millis, TimeUnit.MILLISECONDS);
        return t;
    }

    static final class Timer {
        private final Thread thread;
        private ScheduledFuture<?> task;
        private boolean ended;
        private boolean fired;

        private Timer(Thread thread) {
            this.thread = thread;
        }

        private synchronized void fire() {
            if (ended) return;
            fired = true;
            thread.interrupt();
        }

        /** Stops the watchdog for this render; true when it fired. Afterwards the thread is not interrupted by it. */
        synchronized boolean end() {
            ended = true;
            task.cancel(false);
            if (fired) Thread.interrupted();
            return fired;
        }
    }
}
