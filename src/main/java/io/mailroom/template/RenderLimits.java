package io.mailroom.template;

import java.time.Duration;

/**
 * What rendering one row may cost: at most {@code maxChars} characters of output and {@code maxTime} of
 * processing. A CSV value can drive a template's loops ({@code <#list 1..n>}), so without these one row
 * could fill the memory or hold the job forever; past either, the row is skipped with the reason.
 */
public record RenderLimits(long maxChars, Duration maxTime) {
    public static final RenderLimits DEFAULT = new RenderLimits(25L << 20, Duration.ofSeconds(5));
}
