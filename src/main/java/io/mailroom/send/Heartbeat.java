package io.mailroom.send;

import io.mailroom.store.Claims;
import io.mailroom.store.LeaseLostException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Renews a worker's lease four times a lease while its lanes run. A renewal that finds the lease already
 * passed (the worker lost touch with the database for that long, and others may have settled its rows)
 * stops the run: what the lanes would record would be refused anyway.
 */
final class Heartbeat implements AutoCloseable {
    private final Claims claims;
    private final Clock clock;
    private final Dispatcher dispatcher;
    private final List<Throwable> failures;
    private final Thread thread;
    private volatile boolean closed;

    Heartbeat(Claims claims, Clock clock, Dispatcher dispatcher, List<Throwable> failures) {
        this.claims = claims;
        this.clock = clock;
        this.dispatcher = dispatcher;
        this.failures = failures;
        this.thread = new Thread(this::beat, "mailroom-heartbeat");
        thread.setDaemon(true);
        thread.start();
    }

    private void beat() {
        long every = claims.lease().toNanos() / 4;
        while (!closed) {
            LockSupport.parkNanos(this, every);
            if (closed) return;
            try {
                if (!claims.heartbeat(clock.instant())) throw new LeaseLostException(claims.worker());
            } catch (Exception e) {
                synchronized (failures) {
                    failures.add(e);
                }
                dispatcher.abort();
                return;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        LockSupport.unpark(thread);
        thread.join();
    }
}
