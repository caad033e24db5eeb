package io.mailroom.send;

import java.time.Duration;

/**
 * When a deferred recipient stops being retried: after {@code maxAttempts} attempts, or once
 * {@code giveUpAfter} has passed since its first attempt (RFC 5321 section 4.5.4.1: at least 4-5 days).
 */
public record RetryRules(int maxAttempts, Duration giveUpAfter) {
    public static final RetryRules DEFAULT = new RetryRules(10, Duration.ofDays(5));
}
