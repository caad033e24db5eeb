package io.mailroom.job;

import io.mailroom.csv.CsvSource;
import io.mailroom.template.RenderLimits;
import java.time.Duration;

/**
 * What one CSV row may cost, so that one hostile or broken row is skipped instead of taking the job or
 * the machine down: the characters of its CSV record, the time to render it, each attachment's size and
 * the size of the whole message as it goes on the wire. Job keys recipients.max-row-size,
 * template.max-render-time, attachment.max-size and message.max-size.
 */
public record RowLimits(int rowChars, Duration renderTime, long attachmentBytes, long messageBytes) {
    /** 25 MB per message is the usual relay limit (Gmail, Exchange Online). */
    public static final RowLimits DEFAULT = new RowLimits(CsvSource.DEFAULT_MAX_RECORD_CHARS, RenderLimits.DEFAULT.maxTime(), 25L << 20,
            RenderLimits.DEFAULT.maxChars());

    /** A message can't be larger in characters than in bytes, so its size bounds the rendered text too. */
    RenderLimits render() {
        return new RenderLimits(messageBytes, renderTime);
    }
}
