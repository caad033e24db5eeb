package io.mailroom.job;

import io.mailroom.bounce.Bounce;
import io.mailroom.bounce.BounceReader;
import io.mailroom.bounce.Mailbox;
import io.mailroom.bounce.MailboxReader;
import io.mailroom.bounce.UnreadableBounce;
import io.mailroom.send.Verp;
import io.mailroom.store.BounceLog;
import io.mailroom.store.BounceLog.Candidate;
import io.mailroom.store.JobRecord;
import io.mailroom.store.RecipientStatus;
import io.mailroom.store.Store;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * mailroom bounces: reads a job's bounce mailbox and puts each bounce on the address it is about. A hard bounce
 * (action failed) makes a sent address bounced; a delay notice is kept as an event; an auto-reply, a bounce that
 * matches no address (or more than one) and an unreadable message are recorded as such and never guessed onto
 * an address. Each message's changes are committed before it leaves the mailbox, and a message read before (by
 * the SHA-256 of its bytes) changes nothing, so a run killed anywhere loses nothing and applies nothing twice.
 */
public final class Bounces {
    /** Larger messages are not bounces worth reading: recorded as unreadable and left in the mailbox. */
    static final long MOST_BYTES = 10L << 20;

    /** What reading the mailbox did: messages read, addresses bounced, delays noted, messages put on no address; the job's counts after. */
    public record Result(int read, int bounced, int delayed, int unmatched, Map<RecipientStatus, Integer> counts) { }

    private final Clock clock;
    private final Function<String, String> env;
    private final Consumer<String> lines;
    private final Consumer<String> notes;

    public Bounces(Clock clock, Function<String, String> env, Consumer<String> lines, Consumer<String> notes) {
        this.clock = clock;
        this.env = env;
        this.lines = lines;
        this.notes = notes;
    }

    /** The jobs of the database that name a bounce mailbox, by name. */
    public List<String> jobsWithMailbox(String dbUrl) throws Exception {
        try (Store store = Store.openExisting(dbUrl, env, notes, null)) {
            List<String> out = new ArrayList<>();
            for (JobRecord job : store.jobs()) if (JobFile.fromSnapshot(job.name(), job.settings()).bounces().isPresent()) out.add(job.name());
            return out;
        }
    }

    /**
     * Reads job {@code name}'s bounce mailbox: each message put on its address and committed, then removed from the
     * mailbox (unless {@code keep}); {@code dryRun} changes nothing anywhere and says what would change.
     */
    public Result collect(String name, String dbUrl, boolean dryRun, boolean keep) throws Exception {
        try (Store store = Store.openExisting(dbUrl, env, notes, name)) {
            JobRecord job = store.job(name).orElseThrow(() -> new InputMissingException("no job named \"" + name + "\" in " + store.where(), null));
            SendSettings send = JobFile.fromSnapshot(name, job.settings());
            Mailbox mailbox = send.bounces().orElseThrow(() -> new JobFileException("job " + name + " names no bounce mailbox: set bounces.protocol,"
                    + " bounces.host and bounces.username in its job file and run it once, so the job keeps them")).toMailbox(env);
            int[] tally = new int[4];
            MailboxReader.each(mailbox, keep || dryRun, (uid, raw) -> {
                tally[0]++;
                Applied a = apply(store, job, raw, dryRun);
                tally[1] += a.bounced();
                tally[2] += a.delayed();
                if (a.matched() == 0) tally[3]++;
                // what matched nothing stays for a person to look at (or another job sharing the mailbox)
                return a.matched() > 0 ? MailboxReader.After.REMOVE : MailboxReader.After.KEEP;
            });
            return new Result(tally[0], tally[1], tally[2], tally[3], store.counts(job.id()));
        } catch (Exception e) {
            Store.explainFailure(dbUrl, e);
            throw e;
        }
    }

    /** What one message did: addresses bounced, delays noted, addresses matched (0: none; for one read before, as it did then). */
    record Applied(int bounced, int delayed, int matched) { }

    private Applied apply(Store store, JobRecord job, byte[] raw, boolean dryRun) throws Exception {
        BounceLog log = store.bounces();
        String key = "sha-256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw));
        Optional<Integer> before = log.seen(job.id(), key);
        if (before.isPresent()) return new Applied(0, 0, before.get());
        Bounce b;
        try {
            b = BounceReader.read(raw, MOST_BYTES);
        } catch (UnreadableBounce e) {
            say(job, "a message in the bounce mailbox could not be read (" + e.getMessage() + "); left there");
            if (!dryRun) {
                log.read(job.id(), key, clock.instant(), "unreadable", 0, null, e.getMessage());
                store.commit();
            }
            return new Applied(0, 0, 0);
        }
        int bounced = 0, delayed = 0, matched = 0;
        List<String> misses = new ArrayList<>();
        if (b.kind() == Bounce.Kind.FAILED || b.kind() == Bounce.Kind.DELAYED) {
            List<BounceLog.Event> events = new ArrayList<>();
            // the attempt the report names, by its ENVID first, else by its VERP return path; else the address decides
            Optional<Long> envidRow = envidRow(log, job, b);
            Optional<Long> namedRow = envidRow.isPresent() ? envidRow : verpRow(store, job, b);
            String namedBy = envidRow.isPresent() ? "envelope id" : "return path";
            for (Bounce.Recipient r : b.recipients()) {
                if (!"failed".equals(r.action()) && !"delayed".equals(r.action())) continue;
                Optional<Candidate> c = namedRow.isPresent() ? inRow(log, namedRow.get(), namedBy, r, misses)
                        : match(log, job.id(), r, b.returnedMessageId(), misses);
                if (c.isEmpty()) continue;
                matched++;
                events.add(new BounceLog.Event(c.get().recipientId(), c.get().seq(), r.action(), r.status(), r.diagnostic(), b.reportingMta(), b.arrivedAt()));
                if (r.action().equals("failed")) {
                    if (c.get().status() == RecipientStatus.SENT) {
                        bounced++;
                        say(job, c.get().address() + " bounced: " + words(r, b));
                        if (!dryRun) store.attempts().bounce(c.get().recipientId(), c.get().seq(), "bounced: " + words(r, b), clock.instant());
                    }
                } else {
                    delayed++;
                    say(job, c.get().address() + " delayed past the relay: " + words(r, b));
                }
            }
            if (!dryRun) {
                long row = log.read(job.id(), key, clock.instant(), b.kind().name().toLowerCase(java.util.Locale.ROOT), matched, b.subject(),
                        matched == 0 ? String.join("; ", misses) : null);
                for (BounceLog.Event e : events) log.event(row, e);
            }
        } else {
            String what = b.kind() == Bounce.Kind.AUTO_REPLY ? "an auto-reply" : "not a bounce";
            say(job, "\"" + b.subject() + "\" is " + what + "; left in the mailbox");
            if (!dryRun) log.read(job.id(), key, clock.instant(), b.kind() == Bounce.Kind.AUTO_REPLY ? "auto-reply" : "other", 0, b.subject(), what);
        }
        if (matched == 0 && !misses.isEmpty()) say(job, "a bounce (\"" + b.subject() + "\") matches no address of the job: " + String.join("; ", misses)
                + "; left in the mailbox");
        if (dryRun) store.rollback();
        else store.commit();
        return new Applied(bounced, delayed, matched);
    }

    /** The row the report's Original-Envelope-Id names, when it is the ENVID of one of the job's attempts (dsn.envid). */
    private static Optional<Long> envidRow(BounceLog log, JobRecord job, Bounce b) throws Exception {
        if (b.envelopeId() == null) return Optional.empty();
        Optional<Long> row = Verp.rowOf(b.envelopeId());
        return row.isPresent() && log.sentWithEnvid(job.id(), row.get(), b.envelopeId()) ? row : Optional.empty();
    }

    /** The row a VERP return path in the bounce's own recipients names (envelope.verp), when the job's key made it. */
    private static Optional<Long> verpRow(Store store, JobRecord job, Bounce b) throws Exception {
        if (!JobFile.fromSnapshot(job.name(), job.settings()).verp()) return Optional.empty();
        Verp verp = new Verp(store.verpKey(job.id()));
        for (String to : b.deliveredTo()) {
            Optional<Verp.Attempt> a = verp.attempt(to);
            if (a.isPresent()) return Optional.of(a.get().recipientId());
        }
        return Optional.empty();
    }

    /** Within the row an ENVID or a VERP token ({@code namedBy}) named: the address the recipient names, or the row's only address. */
    static Optional<Candidate> inRow(BounceLog log, long recipientId, String namedBy, Bounce.Recipient r, List<String> misses) throws Exception {
        List<Candidate> row = log.addressesOfRow(recipientId);
        for (String address : new String[] {r.finalRecipient(), r.originalRecipient()}) {
            if (address == null) continue;
            Optional<Candidate> same = row.stream().filter(c -> c.address().equalsIgnoreCase(address)).findFirst();
            if (same.isPresent()) return same;
        }
        if (row.size() == 1) return Optional.of(row.get(0));
        misses.add("the row its " + namedBy + " names has no address " + r.finalRecipient());
        return Optional.empty();
    }

    /**
     * The job's address a bounce's recipient is about: its final (else original) recipient, one address of the job;
     * when the job has it in several rows, the row whose Message-ID the bounce returned. Anything else is no match.
     */
    static Optional<Candidate> match(BounceLog log, long jobId, Bounce.Recipient r, String returnedMessageId, List<String> misses) throws Exception {
        for (String address : new String[] {r.finalRecipient(), r.originalRecipient()}) {
            if (address == null) continue;
            List<Candidate> all = log.addresses(jobId, address);
            if (all.isEmpty()) continue;
            List<Candidate> same = returnedMessageId == null ? all : all.stream().filter(c -> returnedMessageId.equals(c.messageId())).toList();
            if (same.size() == 1) return Optional.of(same.get(0));
            if (returnedMessageId != null && same.isEmpty()) {
                misses.add(address + " is in the job, but not in the message the bounce returned (" + returnedMessageId + ")");
                return Optional.empty();
            }
            if (same.size() > 1) {
                misses.add(address + " is in " + same.size() + " rows of the job and the bounce returned no Message-ID to tell them apart");
                return Optional.empty();
            }
        }
        misses.add((r.finalRecipient() != null ? r.finalRecipient() : r.originalRecipient()) + " is no address of the job");
        return Optional.empty();
    }

    private static String words(Bounce.Recipient r, Bounce b) {
        return (r.status() == null ? "" : r.status() + " ") + (r.diagnostic() == null ? "" : r.diagnostic())
                + (b.reportingMta() == null ? "" : " (reported by " + b.reportingMta() + ")");
    }

    private void say(JobRecord job, String line) {
        lines.accept(job.name() + ": " + line);
    }
}
