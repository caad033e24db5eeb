package io.mailroom.smtp;

import java.time.Duration;

/** RFC 5321 section 4.5.3.2 waits per stage, each capped by the job's {@code smtp.timeout} when set. */
final class Timeouts {
    private final Duration cap;

    Timeouts(Duration cap) { this.cap = cap; }

    int millisFor(Step step) {
        Duration rfc = switch (step) {
            case DATA -> Duration.ofMinutes(2);
            case CONTENT -> Duration.ofMinutes(3);
            case END_OF_DATA -> Duration.ofMinutes(10);
            case CONNECT -> Duration.ofMinutes(1);
            default -> Duration.ofMinutes(5);
        };
        Duration d = cap != null && cap.compareTo(rfc) < 0 ? cap : rfc;
        return (int) Math.max(1, d.toMillis());
    }
}
