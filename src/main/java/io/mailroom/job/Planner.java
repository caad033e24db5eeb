package io.mailroom.job;

import io.mailroom.csv.CsvException;
import io.mailroom.csv.CsvRow;
import io.mailroom.csv.CsvSource;
import io.mailroom.mime.Envelope;
import io.mailroom.store.Address;
import io.mailroom.store.NewRecipient;
import io.mailroom.store.Recipient;
import io.mailroom.store.RecipientStatus;
import io.mailroom.template.MessageTemplate;
import io.mailroom.template.RowRenderException;
import io.mailroom.template.TemplateFault;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Rows → recipients, streaming. Every row is rendered and checked once to validate it: a row that cannot
 * become a message is planned as skipped with its reason (and printed), so nothing half-rendered is ever
 * sent. Within one CSV a key is planned once; later rows with the same key are reported and left out.
 * What happens to a planned recipient (insert, ignore as known, dry-run count) is the {@link Sink}'s call.
 */
final class Planner {
    enum Added { NEW, KNOWN, REPLANNED }

    interface Sink {
        /** True when this key is already planned and cannot change: the row need not even be rendered. */
        boolean isSettled(String key) throws Exception;

        Added accept(NewRecipient r) throws Exception;
    }

    /**
     * What a plan does with row {@code r}, given what the job holds under its key: a new key is added; a skipped
     * row comes back replanned when it is the same row, or now plans as pending; anything else the job keeps.
     */
    static Added added(Optional<Recipient> known, NewRecipient r) {
        if (known.isEmpty()) return Added.NEW;
        boolean skipped = known.get().status() == RecipientStatus.SKIPPED;
        return skipped && (known.get().row() == r.row() || r.status() == RecipientStatus.PENDING) ? Added.REPLANNED : Added.KNOWN;
    }

    /** True when the job holds {@code known} under a row's key and it cannot change: only a skipped row is planned again. */
    static boolean settled(Optional<Recipient> known) {
        return known.filter(r -> r.status() != RecipientStatus.SKIPPED).isPresent();
    }

    /** The key a row is skipped under when its own cannot be read (a bad row, an unusable key column value). */
    static String placeholderKey(int row) {
        return "#row-" + row;
    }

    /**
     * Whether {@code r}, newly planned, replaces the row the job holds skipped under its row's {@link #placeholderKey}
     * ({@code Store.dropSyntheticSkip}, which leaves any other status as it is): a row that now plans as pending is
     * one recipient, not two.
     */
    static boolean replacesPlaceholder(NewRecipient r) {
        return r.status() == RecipientStatus.PENDING;
    }

    private final Composer composer;
    private final String keyColumn;
    private final PrintStream err;
    /** Why an address is kept out (it hard-bounced, recipients.suppress-bounced), or null when it is not. */
    private final java.util.function.Function<String, String> suppressed;
    private final java.util.function.BooleanSupplier stopped;

    Planner(Composer composer, String keyColumn, PrintStream err) {
        this(composer, keyColumn, err, address -> null);
    }

    Planner(Composer composer, String keyColumn, PrintStream err, java.util.function.Function<String, String> suppressed) {
        this(composer, keyColumn, err, suppressed, () -> false);
    }

    /** {@code stopped}: asked before each row; once true, the plan ends there, {@link Plan#stopped()}. */
    Planner(Composer composer, String keyColumn, PrintStream err, java.util.function.Function<String, String> suppressed,
            java.util.function.BooleanSupplier stopped) {
        this.composer = composer;
        this.keyColumn = keyColumn;
        this.err = err;
        this.suppressed = suppressed;
        this.stopped = stopped;
    }

    static CsvSource open(JobSpec spec) throws DataException, InputMissingException {
        try {
            CsvSource csv = CsvSource.open(regularFile(spec), spec.encoding(), spec.send().limits().rowChars());
            if (spec.keyColumn() != null && !csv.header().contains(spec.keyColumn())) {
                csv.close();
                throw new DataException(spec.recipients() + ", row 1 (header): no column \"" + spec.keyColumn() + "\", which recipients.key names;"
                        + " the columns are: " + String.join(", ", csv.header()), null);
            }
            return csv;
        } catch (IOException e) {
            throw unreadable(spec, e);
        } catch (CsvException e) {
            throw new DataException(e.getMessage(), e);
        }
    }

    /**
     * Reads the whole CSV once without planning it: a file that cannot be read to its end (bytes that are
     * not its encoding, a quote never closed) is refused before anything is planned or sent, even though
     * planning and sending then run side by side. Its first rows are rendered until one renders: a template
     * mistake that one meets ({@link TemplateFault}) would skip every row, and is refused as well ({@code template}
     * null: none is rendered). When that first row is From a domain the job's DKIM signature would not align with,
     * that is the job file's mistake (78): every row's From is the template's, as a rule. Returns its rows.
     */
    static int requireReadable(JobSpec spec, MessageTemplate template, Finisher finisher)
            throws DataException, InputMissingException, IOException, JobFileException {
        if (template != null && template.neverWrites("From")) {
            throw new DataException(template.name() + ": the header block has no From: line, and every message needs one (e.g. From: Team"
                    + " <team@example.com>); every row would be skipped for it: fix the template; nothing was planned or sent", null);
        }
        int rows = 0;
        int rendered = 0;
        boolean usable = false;
        try (CsvSource csv = open(spec)) {
            CsvRow row;
            while ((row = next(csv)) != null) {
                rows++;
                // rows that fail on their own values tell nothing of the template; a few are enough to get past
                if (template != null && !usable && row.problem() == null && rendered++ < TEMPLATE_PROBES) {
                    usable = renders(template, row, csv);
                    if (usable) {
                        requireAligned(template, row, csv, finisher);
                        requireKeysRender(spec, finisher, row, csv);
                    }
                }
            }
        }
        return rows;
    }

    /** How many rows that fail on their own values {@link #requireReadable} renders, at most, looking for one that renders. */
    private static final int TEMPLATE_PROBES = 100;

    private static boolean renders(MessageTemplate template, CsvRow row, CsvSource csv) throws DataException {
        try {
            template.render(row.fields());
            return true;
        } catch (TemplateFault f) {
            throw new DataException(fault(f, csv, "every row would be skipped for it: fix the template; nothing was planned or sent"), f);
        } catch (RowRenderException rowOnly) {
            return false;
        }
    }

    /** The job file's templated keys (list-unsubscribe.*) render for the first row the template renders, or the job file is wrong (78). */
    private static void requireKeysRender(JobSpec spec, Finisher finisher, CsvRow row, CsvSource csv) throws JobFileException {
        try {
            finisher.probe(row.fields());
        } catch (TemplateFault f) {
            throw new JobFileException(spec.file() + ": " + fault(f, csv, "every row would be skipped for it: fix the job file; nothing was"
                    + " planned or sent"));
        } catch (RowRenderException rowOnly) {
            // the row's own values: it is skipped when planned, as any row is
        }
    }

    /** A template mistake in words, then {@code consequence}: a variable that is no column is named with the columns (and the likely one). */
    private static String fault(TemplateFault f, CsvSource csv, String consequence) {
        if (f.variable() == null) return f.getMessage() + "; " + consequence;
        String csvName = java.nio.file.Path.of(csv.file()).getFileName().toString();
        return f.where() + ": ${" + f.variable() + "} is not a column of " + csvName + " (columns: " + String.join(", ", csv.header()) + ")"
                + likelyColumn(f.variable(), csv.header()).map(c -> "; did you mean " + c + "?").orElse(".") + " "
                + Character.toUpperCase(consequence.charAt(0)) + consequence.substring(1);
    }

    private static void requireAligned(MessageTemplate template, CsvRow row, CsvSource csv, Finisher finisher) throws JobFileException {
        String from;
        try {
            from = io.mailroom.mime.MessageBuilder.fromAddress(template.render(row.fields()));
        } catch (RowRenderException | io.mailroom.mime.MessageException rowOnly) {
            return;
        }
        String why = finisher.misaligned(from);
        if (why != null) throw new JobFileException(csv.file() + " row " + row.row() + ": " + why + "; nothing was planned or sent");
    }

    /** The column {@code name} is likely a typo of: the same but for case, or a few letters off. */
    private static java.util.Optional<String> likelyColumn(String name, List<String> columns) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : columns) {
            int d = JobFile.distance(name.toLowerCase(java.util.Locale.ROOT), c.toLowerCase(java.util.Locale.ROOT));
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return bestDistance <= Math.max(2, name.length() / 4) ? java.util.Optional.of(best) : java.util.Optional.empty();
    }

    /**
     * The recipients file, which must be a file: a run reads it more than once (its digest, a check, the plan), and a
     * device or pipe (/dev/zero, /dev/stdin) would be read once, or forever.
     */
    private static java.nio.file.Path regularFile(JobSpec spec) throws InputMissingException {
        java.nio.file.Path p = spec.recipients();
        if (java.nio.file.Files.exists(p) && !java.nio.file.Files.isRegularFile(p)) {
            throw new InputMissingException(p + ": not a regular file (recipients= in " + spec.file() + "); mailroom reads the CSV more than once,"
                    + " so give it a file, not a device or a pipe", null);
        }
        return p;
    }

    private static InputMissingException unreadable(JobSpec spec, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new InputMissingException(spec.recipients() + ": recipients file not found (recipients= in " + spec.file() + ")", e);
        }
        return new InputMissingException(spec.recipients() + ": cannot read: " + e.getMessage(), e);
    }

    /** What a plan of the job's CSV reads: the SHA-256 of the file's bytes, and the encoding they are read in. */
    static String digest(JobSpec spec) throws InputMissingException {
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (java.io.InputStream in = new java.security.DigestInputStream(java.nio.file.Files.newInputStream(regularFile(spec)), sha)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw unreadable(spec, e);
        }
        return "sha-256:" + java.util.HexFormat.of().formatHex(sha.digest()) + " " + spec.encoding().name();
    }

    Plan plan(CsvSource csv, Sink sink) throws Exception {
        int rows = 0, added = 0, known = 0, duplicates = 0, skipped = 0;
        Set<String> seen = new HashSet<>();
        CsvRow row;
        while ((row = next(csv)) != null) {
            if (stopped.getAsBoolean()) return new Plan(rows, added, known, duplicates, skipped, true);
            rows++;
            String cheapKey = keyColumn == null ? null : Composer.normalKey(row.fields().getOrDefault(keyColumn, ""));
            if (cheapKey != null && !cheapKey.isEmpty() && !seen.contains(cheapKey) && sink.isSettled(cheapKey)) {
                seen.add(cheapKey);
                known++;
                continue;
            }
            NewRecipient r = recipient(row);
            if (!seen.add(r.key())) {
                duplicates++;
                err.println(csv.file() + " row " + row.row() + ": key " + r.key() + " appears again; only its first row is sent");
                continue;
            }
            Added result = sink.accept(r);
            if (result == Added.KNOWN) {
                known++;
                continue;
            }
            added++;
            if (r.status() == RecipientStatus.SKIPPED) {
                skipped++;
                err.println(csv.file() + " row " + row.row() + " (" + r.key() + "): skipped: " + r.reason());
            }
        }
        return new Plan(rows, added, known, duplicates, skipped);
    }

    private NewRecipient recipient(CsvRow row) {
        List<String> values = new ArrayList<>(row.fields().values());
        String fallbackKey = placeholderKey(row.row());
        if (row.problem() != null) return skipped(row, values, keyOr(row, fallbackKey), row.problem());
        try {
            Composer.Checked m = composer.check(row.fields());
            for (Envelope.Entry a : m.envelope().addresses()) {
                String why = suppressed.apply(a.address());
                if (why != null) return skipped(row, values, keyOr(row, fallbackKey), a.address() + " " + why + "; recipients.suppress-bounced keeps it out");
            }
            return new NewRecipient(row.row(), Composer.key(keyColumn, row.fields(), m.envelope()), values, m.envelope().to(), m.messageId(),
                    RecipientStatus.PENDING, null, addresses(m.envelope()));
        } catch (RowProblem p) {
            return skipped(row, values, keyOr(row, fallbackKey), p.getMessage());
        }
    }

    /** The envelope as the store keeps it: every address pending. */
    static List<Address> addresses(Envelope e) {
        List<Address> out = new ArrayList<>();
        for (Envelope.Entry a : e.addresses()) {
            out.add(new Address(out.size() + 1, a.kind(), a.address(), RecipientStatus.PENDING, 0, null, null, null, null, null));
        }
        return out;
    }

    private String keyOr(CsvRow row, String fallback) {
        if (keyColumn == null) return fallback;
        String v = Composer.normalKey(row.fields().getOrDefault(keyColumn, ""));
        return Composer.keyProblem(v) != null ? fallback : v;
    }

    private static NewRecipient skipped(CsvRow row, List<String> values, String key, String reason) {
        return new NewRecipient(row.row(), key, values, List.of(), null, RecipientStatus.SKIPPED, reason, List.of());
    }

    /** The next row; a CSV that can't be read any further is a data error (exit 65). */
    static CsvRow next(CsvSource csv) throws DataException, IOException {
        try {
            return csv.next();
        } catch (CsvException e) {
            throw new DataException(e.getMessage(), e);
        }
    }
}
