package io.mailroom.job;

import io.mailroom.csv.CsvSource;
import io.mailroom.mime.MessageBuilder;
import io.mailroom.store.JobRecord;
import io.mailroom.store.NewRecipient;
import io.mailroom.store.Recipient;
import io.mailroom.store.RecipientStatus;
import io.mailroom.store.Store;
import io.mailroom.template.MessageTemplate;
import java.io.PrintStream;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The dry run: the plan a run of the job file would make now, made in memory, every row rendered and
 * checked and every problem listed. For a job the database already holds, it starts from the job's counts
 * (what is sent stays sent), plans only what a run would plan, and refuses a changed template as a run
 * refuses it. It writes nothing: no job, no row, not even a database file that is not there yet, nor a schema
 * (an older one is not migrated: its database is read as holding no job); and it connects to no server.
 */
final class DryRun {
    private final Clock clock;
    private final PrintStream err;
    private final Function<String, String> env;
    private final Consumer<String> notes;

    DryRun(Clock clock, PrintStream err, Function<String, String> env, Consumer<String> notes) {
        this.clock = clock;
        this.err = err;
        this.env = env;
        this.notes = notes;
    }

    RunSummary run(JobSpec spec, RunOptions o) throws Exception {
        // the key is checked as a run checks it, first
        Finisher finisher = Finisher.of(spec.send(), clock);
        // no database as this version reads it (none, or an older schema it must not migrate): as for a job not created yet
        try (Store store = Store.openToReadAsIs(o.dbUrl(), env, notes).orElse(null)) {
            Optional<JobRecord> job = store == null ? Optional.empty() : store.job(spec.name());
            if (job.isEmpty()) return plan(spec, Jobs.compile(spec), null, null, finisher);
            MessageTemplate template = Jobs.sameTemplates(store, job.get(), spec) ? Jobs.storedTemplate(store, job.get(), spec.send().limits())
                    : Jobs.changedTemplate(job.get(), spec, o.acceptTemplateChange());
            return plan(spec, template, store, job.get(), finisher);
        } catch (Exception e) {
            Store.explainFailure(o.dbUrl(), e);
            throw e;
        }
    }

    /** Plans the CSV in memory into {@code job} as it stands in {@code store} (both null: a job not created yet). */
    private RunSummary plan(JobSpec spec, MessageTemplate template, Store store, JobRecord job, Finisher finisher) throws Exception {
        finisher.requireFits(template);
        Planner.requireReadable(spec, template, finisher);
        // a job's snapshot holds the attachments its rows read; one not created yet reads them from the template's folder
        AttachmentFolder folder = AttachmentFolder.of(spec);
        AttachmentFiles files = job == null ? folder : (name, max) -> {
            Optional<byte[]> kept = store.file(job.id(), Jobs.ATTACHMENT, name);
            return kept.isPresent() ? kept.get() : folder.read(name, max);
        };
        Composer composer = new Composer(template, files, new MessageBuilder(clock), spec.send().envelopeFrom(), spec.send().limits(), finisher);
        Map<RecipientStatus, Integer> counts = job == null ? new EnumMap<>(RecipientStatus.class) : store.counts(job.id());
        for (RecipientStatus s : RecipientStatus.values()) counts.putIfAbsent(s, 0);
        Plan plan;
        try (CsvSource csv = Planner.open(spec)) {
            String keyColumn = job == null ? spec.keyColumn() : job.keyColumn();
            java.util.function.Function<String, String> suppressed = store == null || !spec.send().suppressBounced() ? address -> null
                    : store.bounces().bouncedAddresses()::get;
            plan = new Planner(composer, keyColumn, err, suppressed).plan(csv, job == null ? newJob(counts) : existing(store, job, counts));
        }
        return new RunSummary(spec.name(), plan, 0, 0, counts, job == null ? null : store.nextDue(job.id()).orElse(null), true);
    }

    /** A job not created yet: every row is new. */
    private static Planner.Sink newJob(Map<RecipientStatus, Integer> counts) {
        return new Planner.Sink() {
            @Override public boolean isSettled(String key) { return false; }

            @Override public Planner.Added accept(NewRecipient r) {
                counts.merge(r.status(), 1, Integer::sum);
                return Planner.Added.NEW;
            }
        };
    }

    /** A job the database holds: what a run's plan would do to it, counted instead of written. */
    private static Planner.Sink existing(Store store, JobRecord job, Map<RecipientStatus, Integer> counts) throws Exception {
        boolean placeholders = store.hasSyntheticSkips(job.id());
        return new Planner.Sink() {
            @Override public boolean isSettled(String key) throws Exception {
                return Planner.settled(store.recipientByKey(job.id(), key));
            }

            @Override public Planner.Added accept(NewRecipient r) throws Exception {
                Optional<Recipient> known = store.recipientByKey(job.id(), r.key());
                Planner.Added added = Planner.added(known, r);
                if (added == Planner.Added.KNOWN) return added;
                if (added == Planner.Added.REPLANNED) counts.merge(RecipientStatus.SKIPPED, -1, Integer::sum);
                counts.merge(r.status(), 1, Integer::sum);
                // as a run drops it (Store.dropSyntheticSkip): only while it is still skipped, not once cancelled
                if (placeholders && Planner.replacesPlaceholder(r) && store.recipientByKey(job.id(), Planner.placeholderKey(r.row()))
                        .filter(p -> p.status() == RecipientStatus.SKIPPED).isPresent()) {
                    counts.merge(RecipientStatus.SKIPPED, -1, Integer::sum);
                }
                return added;
            }
        };
    }
}
