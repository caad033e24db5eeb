package io.mailroom.job;

import io.mailroom.csv.CsvSource;
import io.mailroom.mime.Envelope;
import io.mailroom.mime.MessageBuilder;
import io.mailroom.mime.OutgoingMessage;
import io.mailroom.send.Arrivals;
import io.mailroom.send.Engine;
import io.mailroom.send.Messages;
import io.mailroom.send.Pace;
import io.mailroom.send.Pause;
import io.mailroom.send.RateLimit;
import io.mailroom.send.Stop;
import io.mailroom.send.Verp;
import io.mailroom.smtp.SmtpClient;
import io.mailroom.smtp.SmtpSettings;
import io.mailroom.smtp.Transcript;
import io.mailroom.store.Attempts;
import io.mailroom.store.Claims;
import io.mailroom.store.JobLock;
import io.mailroom.store.JobRecord;
import io.mailroom.store.NewRecipient;
import io.mailroom.store.Recipient;
import io.mailroom.store.RecipientStatus;
import io.mailroom.store.Store;
import io.mailroom.template.MessageTemplate;
import io.mailroom.template.TemplateSyntaxException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Objects;
import java.util.function.Function;

/**
 * The use cases behind the commands: run (snapshot or extend the job, then send what is due), resume
 * (from the database alone) and the dry run. The job is its name plus its snapshot: templates and
 * attachments are read from disk only when a row is first planned, and from the database afterwards.
 */
public final class Jobs {
    static final String TEMPLATE = "template";
    static final String TEMPLATE_HTML = "template.html";
    static final String ATTACHMENT = "attachment";

    private final Clock clock;
    private final Pause pause;
    private final Stop stop;
    private final PrintStream err;
    private final Function<String, String> env;
    private final Function<String, Transcript> transcripts;
    private final RunProgress progress;

    public Jobs(Clock clock, Pause pause, Stop stop, PrintStream err, Function<String, String> env, Function<String, Transcript> transcripts,
                RunProgress progress) {
        this.progress = progress;
        this.clock = clock;
        this.pause = pause;
        this.stop = stop;
        this.err = err;
        this.env = env;
        this.transcripts = transcripts;
    }

    /** How long a worker looks for a job another is creating before it waits for that one's plan instead, and how often. */
    private static final int JOIN_WAIT_MILLIS = 10_000;
    private static final int JOIN_LOOK_MILLIS = 250;

    /** The refusal (66) for a job {@code store} does not hold, naming the database it looked in: another one is the likely mistake. */
    public static InputMissingException noJobNamed(String name, Store store) {
        return new InputMissingException("no job named \"" + name + "\" in " + store.where(), null);
    }

    public RunSummary run(Path jobFile, RunOptions o) throws Exception {
        JobSpec spec = JobFile.load(jobFile);
        if (o.dryRun()) return new DryRun(clock, err, env, this::note).run(spec, o);
        // the DKIM key is read and checked before the database is opened: a key that cannot sign stops the run here
        Finisher finisher = Finisher.of(spec.send(), clock);
        noteSlowSigning(finisher, spec.name());
        SmtpSettings smtp = o.serverOverride() != null ? o.serverOverride() : smtpSettings(spec.send(), spec.file().toAbsolutePath().getParent());
        try (Store store = Store.open(o.dbUrl(), env, this::note)) {
            JobLock free = null;
            // a worker that finds another planning the job joins it as soon as the job is there (it may be creating it)
            for (int waited = 0; store.isShared() && free == null && waited < JOIN_WAIT_MILLIS; waited += JOIN_LOOK_MILLIS) {
                free = store.lockWithin(spec.name(), JOIN_LOOK_MILLIS).orElse(null);
                Optional<JobRecord> planned = free == null ? joinable(store, spec) : Optional.empty();
                if (planned.isPresent()) return join(store, planned.get(), spec, smtp, o, finisher);
            }
            try (JobLock lock = free != null ? free : store.lock(spec.name())) {
                return run(store, lock, spec, smtp, o, finisher);
            }
        } catch (Exception e) {
            Store.explainFailure(o.dbUrl(), e);
            throw e;
        }
    }

    /** Snapshots or extends the job under its {@code lock}, then sends while the plan goes on. */
    private RunSummary run(Store store, JobLock lock, JobSpec spec, SmtpSettings smtp, RunOptions o, Finisher finisher) throws Exception {
        Optional<JobRecord> existing = store.job(spec.name());
        JobRecord job = existing.isPresent() ? existing.get() : null;
        if (job != null) noteMoved(store, job, spec);
        boolean sameTemplates = job != null && sameTemplates(store, job, spec);
        MessageTemplate template = job == null ? compile(spec) : sameTemplates ? storedTemplate(store, job, spec.send().limits())
                : changedTemplate(job, spec, o.acceptTemplateChange());
        finisher.requireFits(template);
        String digest = Planner.digest(spec);
        boolean samePlan = sameTemplates && nothingToPlan(store, job, spec, digest);
        // the last plan of this very file rendered every row with this template: nothing to find in it again
        int rows = Planner.requireReadable(spec, samePlan ? null : template, finisher);
        if (job != null && !sameTemplates) adoptTemplate(store, job, spec);
        if (samePlan) {
            store.updateSettings(job.id(), JobFile.snapshot(spec.send()));
            store.commit();
            engine().settle(store, job.id(), job.name());
            if (store.isShared()) lock.close();
            Plan unchanged = new Plan(rows, 0, rows, 0, 0);
            String name = job.name();
            progress.due(store.attempts().countDue(job.id(), clock.instant()));
            return send(store, job, template, smtp, spec.send(), finisher, "run", new Planning(p -> progress.planned(name, p), p -> unchanged).start(),
                    o.limit(), o.deadline());
        }
        CsvSource csv = Planner.open(spec);
        Store planStore;
        try {
            if (job == null) {
                job = store.createJob(spec.name(), clock.instant(), spec.file().toAbsolutePath().toString(),
                        JobFile.snapshot(spec.send()), csv.header(), spec.keyColumn());
                snapshotTemplates(store, job, spec);
            } else {
                store.updateSettings(job.id(), JobFile.snapshot(spec.send()));
            }
            // kept until the plan ends: a run killed before leaves resume the rest of it
            store.planBegins(job.id(), spec.recipients(), spec.encoding());
            store.commit();
            // what an earlier run left in its journal is settled before anything is planned or sent
            engine().settle(store, job.id(), job.name());
            progress.due(store.attempts().countDue(job.id(), clock.instant()));
            planStore = store.writer();
        } catch (Exception e) {
            csv.close();
            store.rollback();
            throw e;
        }
        Composer composer = new Composer(template, diskAttachments(planStore, job, spec), new MessageBuilder(clock),
                spec.send().envelopeFrom(), spec.send().limits(), finisher);
        // workers sharing a job (PostgreSQL) hold the job's lock only while they plan: one plans at a time, all send
        Planning planning = plan(csv, planStore, job, composer, digest, store.isShared() ? lock : null);
        return send(store, job, template, smtp, spec.send(), finisher, "run", planning, o.limit(), o.deadline());
    }

    /**
     * A job is known by its name alone: a job file run from another path than last time may be the job moved, or
     * another job of the same name (two starter folders) that would share its rows. Said once per move.
     */
    private void noteMoved(Store store, JobRecord job, JobSpec spec) throws SQLException {
        String now = spec.file().toAbsolutePath().toString();
        if (now.equals(job.source())) return;
        note("note: job " + job.name() + " was last run from " + job.source() + "; now run from " + now
                + " (a job is known by its name: if this is another job, give it a name= of its own to keep their recipients apart)");
        store.updateSource(job.id(), now);
        store.commit();
    }

    /**
     * The file the job's last complete plan read, every row planned and none skipped, the same key column: a
     * new plan would add nothing (the templates are the job's too; the caller knows).
     */
    private static boolean nothingToPlan(Store store, JobRecord job, JobSpec spec, String digest) throws SQLException {
        return job.planComplete() && digest.equals(job.plannedDigest()) && Objects.equals(spec.keyColumn(), job.keyColumn()) && !store.hasSkipped(job.id());
    }

    /** The job, when another worker is planning it and this one can send what is planned meanwhile: same templates, same key column. */
    private Optional<JobRecord> joinable(Store store, JobSpec spec) throws Exception {
        Optional<JobRecord> job = store.job(spec.name());
        if (job.isEmpty() || !Objects.equals(spec.keyColumn(), job.get().keyColumn()) || !sameTemplates(store, job.get(), spec)) return Optional.empty();
        return job;
    }

    /**
     * A worker that finds another planning the job (PostgreSQL) sends what is planned at once, and plans after it
     * on a thread of its own, under the job's lock: the keys that are new, or nothing for the file the last plan read.
     */
    private RunSummary join(Store store, JobRecord job, JobSpec spec, SmtpSettings smtp, RunOptions o, Finisher finisher) throws Exception {
        MessageTemplate template = storedTemplate(store, job, spec.send().limits());
        finisher.requireFits(template);
        int rows = Planner.requireReadable(spec, template, finisher);
        String digest = Planner.digest(spec);
        Store planStore = store.writer();
        progress.due(store.attempts().countDue(job.id(), clock.instant()));
        Planning planning = new Planning(p -> progress.planned(job.name(), p), p -> {
            try (planStore; JobLock lock = planStore.lock(job.name())) {
                JobRecord now = planStore.job(job.name()).orElseThrow();
                planStore.updateSettings(job.id(), JobFile.snapshot(spec.send()));
                if (nothingToPlan(planStore, now, spec, digest)) {
                    planStore.commit();
                    return new Plan(rows, 0, rows, 0, 0);
                }
                planStore.planBegins(job.id(), spec.recipients(), spec.encoding());
                planStore.commit();
                Composer composer = new Composer(template, diskAttachments(planStore, job, spec), new MessageBuilder(clock),
                        spec.send().envelopeFrom(), spec.send().limits(), finisher);
                try (CsvSource csv = Planner.open(spec)) {
                    return planRows(csv, planStore, now, composer, digest, p);
                }
            }
        }).start();
        return send(store, job, template, smtp, spec.send(), finisher, "run", planning, o.limit(), o.deadline());
    }

    /** Sends what is due of stored job {@code name}; {@code server} (null: the job's own) stands in for its SMTP server (--sandbox). */
    public RunSummary resume(String name, String dbUrl, boolean resendUnknown, boolean retryFailed, Instant deadline, SmtpSettings server)
            throws Exception {
        try (Store store = Store.openExisting(dbUrl, env, this::note, name); JobLock lock = store.lock(name)) {
            JobRecord job = store.job(name).orElseThrow(() -> noJobNamed(name, store));
            SendSettings send = JobFile.fromSnapshot(name, job.settings());
            // resume signs as run does: the key file the job names is read now, before anything is settled or sent
            Finisher finisher = Finisher.of(send, clock);
            noteSlowSigning(finisher, name);
            // the job file may be gone: smtp.password.command runs where it was when the job last ran
            SmtpSettings smtp = server != null ? server : smtpSettings(send, Path.of(job.source()).toAbsolutePath().getParent());
            // what the last run left in flight is settled first: --resend-unknown includes it
            engine().settle(store, job.id(), job.name());
            if (resendUnknown) err.println(name + ": " + store.attempts().requeue(job.id(), RecipientStatus.UNKNOWN, clock.instant()) + " unknown address(es) will be sent again");
            if (retryFailed) err.println(name + ": " + store.attempts().requeue(job.id(), RecipientStatus.FAILED, clock.instant()) + " failed address(es) will be retried");
            MessageTemplate template = storedTemplate(store, job, send.limits());
            finisher.requireFits(template);
            progress.due(store.attempts().countDue(job.id(), clock.instant()));
            Planning planning = interruptedPlan(store, job, template, send, finisher, store.isShared() ? lock : null);
            if (planning == null && store.isShared()) lock.close();
            return send(store, job, template, smtp, send, finisher, "resume", planning, Integer.MAX_VALUE, deadline);
        } catch (Exception e) {
            Store.explainFailure(dbUrl, e);
            throw e;
        }
    }

    /**
     * Plans {@code csv} (whose {@code digest} it is; null: not known) into the job on a thread of its own (its own
     * connection, {@code planStore}); the plan's last commit ends it, and then releases {@code lock} (null: the
     * caller keeps its lock for the whole run).
     */
    private Planning plan(CsvSource csv, Store planStore, JobRecord job, Composer composer, String digest, JobLock lock) {
        return new Planning(p -> progress.planned(job.name(), p), p -> {
            try (csv; planStore; lock) {
                return planRows(csv, planStore, job, composer, digest, p);
            }
        }).start();
    }

    /** Plans the rows of {@code csv} into the job, committing a batch at a time; the last commit ends the plan. */
    private Plan planRows(CsvSource csv, Store planStore, JobRecord job, Composer composer, String digest, Planning planning) throws Exception {
        try {
            Plan plan = new Planner(composer, job.keyColumn(), err, suppressed(planStore, job), stop::requested)
                    .plan(csv, new StoreSink(planStore, job, planning::committed));
            if (plan.stopped()) {
                // what is planned stays; the job keeps its CSV, and resume or the next run plans the rest
                planStore.commit();
                return plan;
            }
            planStore.planEnded(job.id(), digest);
            planStore.commit();
            Files.deleteIfExists(planStore.planCopyFile(job.name()));
            return plan;
        } catch (Exception e) {
            planStore.rollback();
            throw e;
        }
    }

    /**
     * Why an address is kept out of job {@code job}'s plan (it hard-bounced in any job), when the job says so
     * (recipients.suppress-bounced, as its stored settings have it now); none otherwise.
     */
    static Function<String, String> suppressed(Store store, JobRecord job) throws Exception {
        JobRecord now = store.job(job.name()).orElse(job);
        if (!JobFile.fromSnapshot(now.name(), now.settings()).suppressBounced()) return address -> null;
        Map<String, String> bounced = store.bounces().bouncedAddresses();
        return address -> bounced.get(address.toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * The rest of a plan a killed run left unfinished, from the CSV the job keeps for it (the file itself may
     * be gone): rows already planned are known by their keys, the others are added; null when the plan is complete.
     */
    private Planning interruptedPlan(Store store, JobRecord job, MessageTemplate template, SendSettings send, Finisher finisher, JobLock lock)
            throws Exception {
        if (job.planComplete()) return null;
        // a private file beside the database that planning streams while it commits rows; it goes when the CSV
        // is closed, and a resume killed meanwhile leaves it for the next, which writes it anew
        Path copy = store.planCopyFile(job.name());
        Optional<Store.PlannedCsv> left;
        CsvSource csv = null;
        try {
            left = store.interruptedPlan(job.id(), copy);
            if (left.isEmpty()) return null;
            csv = CsvSource.open(left.get().name(), Files.newInputStream(copy, java.nio.file.StandardOpenOption.DELETE_ON_CLOSE),
                    left.get().encoding(), send.limits().rowChars());
        } catch (io.mailroom.csv.CsvException e) {
            throw new DataException(e.getMessage(), e);
        } finally {
            if (csv == null) Files.deleteIfExists(copy);
        }
        err.println(job.name() + ": the run that planned " + left.get().name() + " stopped before its end; the rest of its rows are planned now");
        Store planStore;
        try {
            planStore = store.writer();
        } catch (SQLException e) {
            csv.close();
            throw e;
        }
        Composer composer = new Composer(template, resumedAttachments(planStore, job), new MessageBuilder(clock), send.envelopeFrom(), send.limits(),
                finisher);
        return plan(csv, planStore, job, composer, null, lock);
    }

    /** The snapshot's attachments, and those no planned row had read yet from the template's folder, if the job file is still there. */
    private static AttachmentFiles resumedAttachments(Store planStore, JobRecord job) {
        try {
            return diskAttachments(planStore, job, JobFile.load(Path.of(job.source())));
        } catch (JobFileException | InputMissingException gone) {
            return (name, max) -> planStore.file(job.id(), ATTACHMENT, name).orElse(null);
        }
    }

    /** Sends what is due, and what {@code planning} adds meanwhile (null: nothing is being planned). */
    private RunSummary send(Store store, JobRecord job, MessageTemplate template, SmtpSettings smtp, SendSettings send, Finisher finisher,
                            String command, Planning planning, int limit, Instant deadline) throws Exception {
        Claims claims = null;
        long runId;
        Engine.Result r;
        Attempts attempts;
        progress.started(job.name(), planning != null);
        try {
            if (store.isShared()) claims = Claims.register(store.database(), job.id(), clock.instant(), Claims.LEASE);
            attempts = claims == null ? store.attempts() : store.attempts().forWorker(claims.worker());
            runId = attempts.beginRun(job.id(), command, account(smtp), !send.rate().isEmpty(), clock.instant());
        } catch (Exception e) {
            awaitPlan(planning, e);
            if (claims != null) claims.close();
            throw e;
        }
        if (claims == null) return send(store, job, template, smtp, send, finisher, planning, limit, deadline, attempts, runId, null);
        try (Claims held = claims) {
            RunSummary summary;
            try {
                summary = send(store, job, template, smtp, send, finisher, planning, limit, deadline, attempts, runId, held);
            } catch (Exception e) {
                // what it held and never marked is the others' at once, not when its lease passes
                try {
                    held.release(clock.instant());
                } catch (SQLException again) {
                    e.addSuppressed(again);
                }
                throw e;
            }
            held.release(clock.instant());
            return summary;
        }
    }

    private RunSummary send(Store store, JobRecord job, MessageTemplate template, SmtpSettings smtp, SendSettings send, Finisher finisher,
                            Planning planning, int limit, Instant deadline, Attempts attempts, long runId, Claims claims) throws Exception {
        Engine.Result r;
        RunSummary summary;
        // messages are composed on a thread of their own, which reads attachments on its own connection
        try (Store snapshot = store.reader()) {
            Composer composer = new Composer(template, (name, max) -> snapshot.file(job.id(), ATTACHMENT, name).orElse(null),
                    new MessageBuilder(clock), send.envelopeFrom(), send.limits(), finisher);
            r = engine().send(store, job.id(), job.name(), runId, messages(composer, job.header()), planning == null ? Arrivals.NONE : planning,
                    new SmtpClient(smtp), new Engine.Settings(send.connections(), send.maxMessagesPerSession(), send.idleProbe(), send.retry(),
                            send.rate(), account(smtp), send.rateForJobOnly(), needsTokens(send) ? new Verp(store.verpKey(job.id())) : null, send.verp(),
                            send.dsn()), limit, deadline,
                    claims);
            Plan plan = planning == null ? null : planning.result();
            if (stop.requested()) err.println(job.name() + ": stopped on request after the messages in hand; run or resume to continue");
            if (r.ended() != null) err.println(job.name() + ": stopped: " + r.ended());
            summary = new RunSummary(job.name(), plan, r.tried(), r.sessions(), store.counts(job.id()), store.nextDue(job.id()).orElse(null), false);
        } catch (Exception e) {
            awaitPlan(planning, e);
            leftAfter(store, job);
            // a run that ends in an error gets no exit code here: the command line maps the error, which a failure
            // to record the end (a database that stopped writing fails every statement after) must not replace
            try {
                attempts.finishRun(runId, null, clock.instant());
            } catch (SQLException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        attempts.finishRun(runId, summary.verdict().exitCode(), clock.instant());
        return summary;
    }

    /** A job with VERP return paths or ENVIDs signs each attempt's token with its key. */
    private static boolean needsTokens(SendSettings send) {
        return send.verp() || send.dsn() != null && send.dsn().envid();
    }

    /** What cancel found for a key: the row's status before (null: no such key in the job), and whether it is cancelled now. */
    public record Cancelled(String key, RecipientStatus was, boolean cancelled) { }

    /** What cancel did, key by key, and the job's counts after it. */
    public record Cancellation(List<Cancelled> keys, Map<RecipientStatus, Integer> counts) {
        public boolean allFound() {
            return keys.stream().allMatch(k -> k.was() != null);
        }
    }

    /**
     * Settles the rows of job {@code name} with these keys by hand: each not sent becomes cancelled (its addresses
     * sent before stay sent), so no run sends it and it is no problem in the job's verdict. All or nothing: with a key
     * the job does not have, nothing changes. Under the job's lock, after what a killed run left is settled.
     */
    public Cancellation cancel(String name, String dbUrl, List<String> keys) throws Exception {
        try (Store store = Store.openExisting(dbUrl, env, this::note, name); JobLock lock = store.lock(name)) {
            JobRecord job = store.job(name).orElseThrow(() -> noJobNamed(name, store));
            // workers of a shared job hold rows while the job's lock is free: settle nothing under one that is sending
            if (store.isShared() && store.workers(job.id()).stream().anyMatch(w -> w.state(clock.instant()).equals("running"))) {
                throw new io.mailroom.store.JobBusyException(name);
            }
            engine().settle(store, job.id(), name);
            List<Cancelled> found = new java.util.ArrayList<>();
            List<Recipient> toCancel = new java.util.ArrayList<>();
            for (String key : keys) {
                Optional<Recipient> r = store.recipientByKey(job.id(), Composer.normalKey(key));
                boolean settles = r.isPresent() && r.get().status() != RecipientStatus.SENT && r.get().status() != RecipientStatus.CANCELLED;
                found.add(new Cancelled(key, r.map(Recipient::status).orElse(null), settles));
                if (settles) toCancel.add(r.get());
            }
            Cancellation c = new Cancellation(found, null);
            if (c.allFound()) {
                for (Recipient r : toCancel) {
                    if (!store.attempts().cancel(r, clock.instant())) {
                        store.rollback();
                        throw new io.mailroom.store.JobBusyException(name);
                    }
                }
            }
            store.commit();
            return new Cancellation(found, store.counts(job.id()));
        } catch (Exception e) {
            Store.explainFailure(dbUrl, e);
            throw e;
        }
    }

    /**
     * The job's rate limits as they stand at {@code now}, counted as its next run would count them (for its
     * account, as its last run recorded it, unless rate.scope=job); empty for a job without limits.
     */
    public RateView rateNow(Store store, JobRecord job, Instant now) throws Exception {
        SendSettings send = JobFile.fromSnapshot(job.name(), job.settings());
        Attempts attempts = store.attempts();
        String account = attempts.lastAccount(job.id()).orElse(null);
        Optional<Pace.Standing> pace = account == null ? Optional.empty() : attempts.lastThrottle(account).flatMap(t -> Pace.standing(t, now));
        if (send.rate().isEmpty()) return new RateView(account, List.of(), pace.orElse(null));
        return new RateView(send.rateForJobOnly() ? null : account, RateLimit.use(send.rate(),
                RateLimit.earlier(attempts, job.id(), account, send.rateForJobOnly(), send.rate(), now), now), pace.orElse(null));
    }

    /**
     * A job's rate limits at a moment; {@code account} null when they count the job alone; {@code pace}: the pace a
     * server asked the account to keep, while it still holds (null: none).
     */
    public record RateView(String account, List<RateLimit.Use> uses, Pace.Standing pace) { }

    /** The sending account, as rate limits count by it: the server and the user name (never the password). */
    private static String account(SmtpSettings smtp) {
        return smtp.host().toLowerCase(java.util.Locale.ROOT) + ":" + smtp.port() + (smtp.credentials() == null ? "" : " as " + smtp.credentials().username());
    }

    /**
     * What a run that failed (server, credentials, configuration) leaves, and how to go on: said before the error itself.
     * resume sends with the settings the job keeps, so a fix in the job file (smtp.host, smtp.security) needs run.
     */
    private void leftAfter(Store store, JobRecord job) {
        try {
            String source = store.job(job.name()).map(JobRecord::source).filter(f -> Files.isRegularFile(Path.of(f))).orElse(null);
            err.println(job.name() + ": stopped with " + RecipientStatus.counts(store.counts(job.id())) + "; once the cause below is fixed: "
                    + (source == null ? "mailroom resume " + job.name() : "mailroom run " + source + " (it reads the job file again), or mailroom resume " + job.name()));
        } catch (SQLException | RuntimeException unreadable) {
            // the store is what failed: its own error says so, and must stay the one reported
        }
    }

    /** A run that fails still lets its plan finish (as it would have before sending started); a planning failure joins {@code e}. */
    private static void awaitPlan(Planning planning, Exception e) {
        if (planning == null) return;
        try {
            planning.result();
        } catch (Exception again) {
            if (again != e) e.addSuppressed(again);
        }
    }

    /**
     * What a run that was killed left in its flight journal goes into the store first, so that status and
     * reports say who got it (as the next run would settle it); a run still going holds the job and folds its
     * own. Nothing to do for a job without a journal.
     */
    public void settleLeftovers(Store store, String jobName) throws Exception {
        Optional<JobRecord> job = store.job(jobName);
        if (job.isEmpty() || Files.notExists(store.journalFile(jobName))) return;
        Optional<JobLock> free = store.lockIfFree(jobName);
        if (free.isEmpty()) return;
        try (JobLock lock = free.get()) {
            engine().settle(store, job.get().id(), jobName);
        }
    }

    private Engine engine() {
        return new Engine(clock, pause, stop, transcripts, err::println, progress);
    }

    /** The engine's view of the job's messages: each row rebuilt from its snapshot by the composer. */
    private static Messages messages(Composer composer, List<String> header) {
        return new Messages() {
            @Override
            public OutgoingMessage compose(Recipient r) throws Unbuildable {
                try {
                    return composer.compose(fields(header, r), r.messageId());
                } catch (RowProblem p) {
                    throw new Unbuildable(p.getMessage());
                }
            }

            @Override
            public Envelope envelope(Recipient r) throws Unbuildable {
                try {
                    return composer.check(fields(header, r)).envelope();
                } catch (RowProblem p) {
                    throw new Unbuildable(p.getMessage());
                }
            }
        };
    }

    private static Map<String, String> fields(List<String> header, Recipient r) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < header.size() && i < r.values().size(); i++) fields.put(header.get(i), r.values().get(i));
        return fields;
    }

    private void note(String text) {
        err.println("mailroom: " + text);
    }

    /**
     * SMTP settings whose password is read from its source when the first session opens, or got from smtp.password.command,
     * run in {@code folder}, for every session ({@link Secrets}).
     */
    private SmtpSettings smtpSettings(SendSettings s, Path folder) {
        return new SmtpSettings(s.host(), s.port(), s.security(), Secrets.credentials(s, env, folder), s.auth(), s.trust(), s.allowPlaintextAuth(),
                s.timeout(), s.helo());
    }

    static MessageTemplate compile(JobSpec spec) throws InputMissingException, DataException {
        try {
            String html = spec.templateHtml() == null ? null : read(spec.templateHtml(), "template.html");
            return MessageTemplate.compile(spec.template().getFileName().toString(), read(spec.template(), "template"),
                    spec.templateHtml() == null ? null : spec.templateHtml().getFileName().toString(), html, spec.send().limits().render());
        } catch (TemplateSyntaxException e) {
            throw new DataException(e.getMessage(), e);
        }
    }

    static MessageTemplate storedTemplate(Store store, JobRecord job, RowLimits limits) throws SQLException, DataException {
        String name = fileName(store, job, TEMPLATE);
        String html = fileName(store, job, TEMPLATE_HTML);
        try {
            return MessageTemplate.compile(name, text(store, job, TEMPLATE, name), html,
                    html == null ? null : text(store, job, TEMPLATE_HTML, html), limits.render());
        } catch (TemplateSyntaxException e) {
            throw new DataException("stored template of job " + job.name() + ": " + e.getMessage(), e);
        }
    }

    private static void snapshotTemplates(Store store, JobRecord job, JobSpec spec) throws SQLException, InputMissingException {
        store.putFile(job.id(), TEMPLATE, spec.template().getFileName().toString(), read(spec.template(), "template").getBytes(StandardCharsets.UTF_8));
        if (spec.templateHtml() != null) {
            store.putFile(job.id(), TEMPLATE_HTML, spec.templateHtml().getFileName().toString(),
                    read(spec.templateHtml(), "template.html").getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * The job's template: its snapshot, unless the files changed since. A change is refused (recipients of
     * one job should get one message) unless accepted, and then becomes the snapshot for everyone not yet sent.
     */
    /** Whether the job file's templates are the ones the job keeps. */
    static boolean sameTemplates(Store store, JobRecord job, JobSpec spec) throws SQLException, InputMissingException {
        String html = fileName(store, job, TEMPLATE_HTML);
        return text(store, job, TEMPLATE, fileName(store, job, TEMPLATE)).equals(read(spec.template(), "template"))
                && (spec.templateHtml() == null ? html == null
                    : html != null && text(store, job, TEMPLATE_HTML, html).equals(read(spec.templateHtml(), "template.html")));
    }

    /** The job file's templates, which differ from the job's: refused, unless {@code accept} (then {@link #adoptTemplate} makes them the job's). */
    static MessageTemplate changedTemplate(JobRecord job, JobSpec spec, boolean accept) throws InputMissingException, DataException {
        if (!accept) {
            throw new DataException(spec.template() + (spec.templateHtml() == null ? "" : " or " + spec.templateHtml()) + " changed since job "
                    + job.name() + " was created; nothing was sent. To send the new version to every recipient not sent yet, run with"
                    + " --accept-template-change; to start over, give the job a new name", null);
        }
        return compile(spec);
    }

    /** An accepted change of template becomes the job's, for every row not sent yet; for the caller's commit. */
    private void adoptTemplate(Store store, JobRecord job, JobSpec spec) throws SQLException, InputMissingException {
        store.deleteFiles(job.id(), TEMPLATE);
        store.deleteFiles(job.id(), TEMPLATE_HTML);
        snapshotTemplates(store, job, spec);
        store.attempts().reopenEnvelopes(job.id());
        err.println(job.name() + ": the changed template is now the job's; recipients not sent yet get the new version");
    }

    private void noteSlowSigning(Finisher finisher, String job) {
        String note = finisher.slowSigningNote(job);
        if (note != null) err.println(note);
    }

    /** Attachments from the template's folder, each copied into the job's snapshot when first read. */
    private static AttachmentFiles diskAttachments(Store store, JobRecord job, JobSpec spec) {
        AttachmentFolder folder = AttachmentFolder.of(spec);
        return (name, max) -> {
            Optional<byte[]> stored = store.file(job.id(), ATTACHMENT, name);
            if (stored.isPresent()) return stored.get();
            byte[] content = folder.read(name, max);
            if (content != null) store.putFile(job.id(), ATTACHMENT, name, content);
            return content;
        };
    }

    static String read(Path p, String key) throws InputMissingException {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InputMissingException(p + ": file not found (" + key + "= in the job file)", e);
        } catch (IOException e) {
            throw new InputMissingException(p + ": cannot read (" + key + "): " + e.getMessage(), e);
        }
    }

    private static String fileName(Store store, JobRecord job, String kind) throws SQLException {
        return store.fileNames(job.id(), kind).stream().findFirst().orElse(null);
    }

    private static String text(Store store, JobRecord job, String kind, String name) throws SQLException {
        return new String(store.file(job.id(), kind, name).orElseThrow(), StandardCharsets.UTF_8);
    }

    /** Inserts new keys, replaces skipped rows that come back, ignores keys already planned. */
    private final class StoreSink implements Planner.Sink {
        private static final int FIRST_BATCH = 20;
        private final Store store;
        private final JobRecord job;
        private final boolean hasPlaceholderSkips;
        private final Runnable committed;
        /** The job had no rows before this plan: no key can be known (the planner itself drops repeats in the CSV). */
        private final boolean fresh;
        private int pending;
        private String lastKey;
        private Optional<Recipient> lastKnown;

        StoreSink(Store store, JobRecord job, Runnable committed) throws SQLException {
            this.store = store;
            this.job = job;
            this.committed = committed;
            this.hasPlaceholderSkips = store.hasSyntheticSkips(job.id());
            this.fresh = !store.hasRecipients(job.id());
        }

        @Override
        public boolean isSettled(String key) throws SQLException {
            return Planner.settled(known(key));
        }

        /** The planner asks about the same key twice in a row (isSettled, then accept): one lookup serves both. */
        private Optional<Recipient> known(String key) throws SQLException {
            if (!key.equals(lastKey)) {
                lastKey = key;
                lastKnown = fresh ? Optional.empty() : store.recipientByKey(job.id(), key);
            }
            return lastKnown;
        }

        @Override
        public Planner.Added accept(NewRecipient r) throws SQLException {
            Optional<Recipient> known = known(r.key());
            lastKey = null;
            Planner.Added result = Planner.added(known, r);
            switch (result) {
                case NEW -> store.insertRecipient(job.id(), r, clock.instant());
                case REPLANNED -> store.replanSkipped(known.get().id(), r, clock.instant());
                case KNOWN -> {
                    return result;
                }
            }
            if (r.status() == RecipientStatus.PENDING) progress.due(1);
            if (hasPlaceholderSkips && Planner.replacesPlaceholder(r)) store.dropSyntheticSkip(job.id(), r.row());
            // the first batch is small so that sending starts while a cold JVM plans the rest; then 500 rows a commit
            if (++pending % 500 == 0 || pending == FIRST_BATCH) {
                store.commit();
                committed.run();
            }
            return result;
        }
    }
}
