package io.mailroom.send;

import java.time.Duration;

/** Waiting, injected so tests move a clock instead of sleeping. */
public interface Pause {
    void sleep(Duration d) throws InterruptedException;

    Pause REAL = d -> Thread.sleep(d.toMillis());
}
