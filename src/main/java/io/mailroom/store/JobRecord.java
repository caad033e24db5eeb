package io.mailroom.store;

import java.time.Instant;
import java.util.List;

/**
 * A stored job: identity and the snapshot a resume needs (settings hold no password). {@code planComplete}
 * is false while a run is planning its CSV, and after a run that was killed doing it (see migration V10);
 * {@code plannedDigest}: what the last complete plan read (V14), null when not known.
 */
public record JobRecord(long id, String name, Instant createdAt, String source, String settings, List<String> header, String keyColumn,
                        boolean planComplete, String plannedDigest) { }
