package io.mailroom.store;

import io.mailroom.csv.CsvLine;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;

/**
 * The job database: jobs with their snapshot (settings, files, rows) and the recipients planned from it;
 * the send side is {@link #attempts()}. The schema is migrated by Flyway on open. A database shared with
 * AUTO_SERVER is served by the process that opened it first; that process's store waits on close until no
 * other process is connected (see {@link #close()}).
 */
public final class Store implements AutoCloseable {
    private static final Pattern PRIVATE_MEMORY = Pattern.compile("(?i)jdbc:h2:mem:(;.*)?");
    /**
     * The newest migration's version (db/migration and {@link AddressesFromRows}; a test holds the two
     * together). A database already at it is not handed to Flyway, whose scan and checks cost a new
     * process 0.2 s with nothing to do; any other (new, older, a failed migration) is migrated.
     */
    static final String NEWEST_SCHEMA = "18";

    /** job_files kind of the CSV a plan is reading. */
    private static final String PLANNED_CSV = "recipients";

    private static final long OTHERS_POLL_MILLIS = 200;

    private final Connection db;
    private final Database database;
    /** The database's URL: an H2 file's own helpers ({@link DatabaseFile}, {@link PrivateFiles}) work from it. */
    private final String url;
    /** Planning runs the same few statements for every row. */
    private final Prepared prepared;
    /** Null for a {@link #reader()}: only the store a command opened waits for other processes when it closes. */
    private final Consumer<String> notes;

    /** A run's store serves the file to readers in other processes while it holds it ({@link Readers}); null otherwise. */
    private Readers readers;
    /** A reader's store that holds an H2 file itself: the marker that tells runs to wait for it ({@link Readers#reading}). */
    private Path reading;

    private Store(Connection db, Database database, Consumer<String> notes) {
        this(db, database, database.url(), notes);
    }

    private Store(Connection db, Database database, String url, Consumer<String> notes) {
        this.db = db;
        this.database = database;
        this.url = url;
        this.notes = notes;
        this.prepared = new Prepared(db);
    }

    /** The send side: runs, due recipients, attempts and statuses, on this store's connection. */
    public Attempts attempts() {
        return new Attempts(db);
    }

    /** The bounces read back for jobs, on this store's connection. */
    public BounceLog bounces() {
        return new BounceLog(db);
    }

    /** Another connection to this database, for reading the snapshot on another thread (one connection per thread). */
    public Store reader() throws SQLException {
        return new Store(database.connect(), database, null);
    }

    /**
     * Where job {@code job}'s flight journal lives: beside an H2 file database (x.mv.db → x.job.flight);
     * for any other database, in ~/.mailroom/journals, named after the database's URL (options and
     * password left out), so each machine keeps its own.
     */
    public Path journalFile(String job) throws IOException {
        return besideDatabase(job, ".flight");
    }

    /** Worker {@code worker}'s flight journal of {@code job} (several workers share a PostgreSQL job, each with a journal of its own). */
    public Path journalFile(String job, String worker) throws IOException {
        return besideDatabase(job, "." + worker + ".flight");
    }

    /** The workers whose journals of {@code job} are on this machine, by their files. */
    public Map<String, Path> workerJournals(String job) throws IOException {
        Path any = journalFile(job, "x");
        String prefix = any.getFileName().toString().replaceFirst("x\\.flight$", "");
        Map<String, Path> out = new java.util.TreeMap<>();
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(any.getParent())) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                String worker = name.startsWith(prefix) && name.endsWith(".flight") ? name.substring(prefix.length(), name.length() - 7) : "";
                // a worker id has no dot: "jobs.x.w1.flight" is not job "jobs" but job "jobs.x"
                if (!worker.isEmpty() && !worker.contains(".")) out.put(worker, f);
            }
        }
        return out;
    }

    /** Whether several workers may send one job from this database (PostgreSQL), each claiming rows ({@link Claims}). */
    public boolean isShared() {
        return !database.isH2();
    }

    public Database database() { return database; }

    /** The workers that have sent job {@code jobId} (PostgreSQL), newest first. */
    public List<Claims.Worker> workers(long jobId) throws SQLException {
        return Claims.workers(db, jobId);
    }

    /** Where resume copies the CSV of a plan a killed run left (private, like the journal), to plan the rest from. */
    public Path planCopyFile(String job) throws IOException {
        return besideDatabase(job, ".plan.csv");
    }

    private Path besideDatabase(String job, String suffix) throws IOException {
        Path db = PrivateFiles.h2File(url);
        if (db != null) return db.resolveSibling(db.getFileName() + "." + job + suffix);
        String where = url.replaceFirst(";.*", "").replaceFirst("\\?.*", "");
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(where.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            Path dir = PrivateFiles.folder(Path.of(System.getProperty("user.home"), ".mailroom", "journals"), notes == null ? n -> { } : notes);
            return dir.resolve(java.util.HexFormat.of().formatHex(hash, 0, 8) + "." + job + suffix);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Another connection to this database with transactions of its own, for writing on another thread (planning). */
    public Store writer() throws SQLException {
        Connection c = database.connect();
        c.setAutoCommit(false);
        return new Store(c, database, null);
    }

    /** Takes the right to send {@code job} (H2), or to plan it (workers sharing a PostgreSQL job); see {@link JobLock}. */
    public JobLock lock(String job) throws SQLException, JobBusyException {
        return JobLock.take(database, job, isShared() ? JobLock.WORKER_WAIT_MILLIS : JobLock.WAIT_MILLIS);
    }

    /** The right to send {@code job} if no process holds it now, without waiting; empty when one does. */
    public Optional<JobLock> lockIfFree(String job) throws SQLException {
        return lockWithin(job, 0);
    }

    /** The job's lock if it is free within {@code waitMillis}; empty when another process holds it. */
    public Optional<JobLock> lockWithin(String job, int waitMillis) throws SQLException {
        try {
            return Optional.of(JobLock.take(database, job, waitMillis));
        } catch (JobBusyException busy) {
            return Optional.empty();
        }
    }

    /**
     * H2's background compaction rewrites live pages into new chunks while the job runs; a kill in the
     * middle of that has left files H2 could not open again ("File corrupted while reading record", seen
     * by the crash test about every other run). Without it a kill costs at most the commit in progress;
     * the price is a file that grows by about 4 to 12 KB a message while the job runs (more, the smaller the
     * commits), which {@link #close()} compacts into a copy ({@link DatabaseFile#compact}).
     */
    public static String killSafe(String url) {
        if (!url.startsWith("jdbc:h2:") || url.toUpperCase(java.util.Locale.ROOT).contains("AUTO_COMPACT_FILL_RATE")) return url;
        return url + KILL_SAFE;
    }

    private static final String KILL_SAFE = ";AUTO_COMPACT_FILL_RATE=0";

    /** {@code url} without what {@link #killSafe} added: the URL as the user gave it, for messages. */
    static String asGiven(String url) {
        return url.endsWith(KILL_SAFE) ? url.substring(0, url.length() - KILL_SAFE.length()) : url;
    }

    /**
     * Throws the {@link DatabaseFileException} that {@code e}, thrown while opening or using the database at
     * {@code url}, means (the file is damaged, or a write failed: the disk is full); returns when it means neither.
     * Whoever opens a store passes its failures through here.
     */
    public static void explainFailure(String url, Throwable e) throws DatabaseFileException {
        DatabaseFile.recognise(url, e);
    }

    /** False for an H2 file database whose file is not there (opening it would make it, empty); true for any other. */
    private static boolean exists(String url) {
        Path file = DatabaseFile.path(url);
        return file == null || java.nio.file.Files.exists(file);
    }

    /** Opens (creating if needed) and migrates the database at {@code url}; see {@link #open(String, Consumer)}. */
    public static Store open(String url) throws SQLException, DatabaseBusyException, DatabaseUrlException, DatabaseFileException,
            DatabaseUnavailableException, DatabaseLoginException, IOException {
        return open(url, note -> { });
    }

    /**
     * Opens (creating if needed) and migrates the database at {@code url}; a damaged file is refused before H2
     * writes to it. An H2 file database holds every recipient's data, so its folder and files are made private
     * first ({@link PrivateFiles}); {@code notes} hears of any that were open to others.
     */
    public static Store open(String url, Consumer<String> notes) throws SQLException, DatabaseBusyException, DatabaseUrlException,
            DatabaseFileException, DatabaseUnavailableException, DatabaseLoginException, IOException {
        return open(url, System::getenv, notes);
    }

    /** As {@link #open(String, Consumer)}, with the environment a PostgreSQL password may come from ({@link Database}). */
    public static Store open(String url, java.util.function.Function<String, String> env, Consumer<String> notes) throws SQLException,
            DatabaseBusyException, DatabaseUrlException, DatabaseFileException, DatabaseUnavailableException, DatabaseLoginException, IOException {
        return open(url, env, notes, false, true);
    }

    /**
     * As {@link #open(String, java.util.function.Function, Consumer)}, for a command that reads (status, report): an H2
     * file a run holds in another process is reached through that run ({@link Readers}) instead of being refused.
     */
    public static Store openToRead(String url, java.util.function.Function<String, String> env, Consumer<String> notes) throws SQLException,
            DatabaseBusyException, DatabaseUrlException, DatabaseFileException, DatabaseUnavailableException, DatabaseLoginException, IOException {
        return open(url, env, notes, true, true);
    }

    /**
     * As {@link #openToRead}, for a dry run, which changes no database: empty when there is none this version reads as
     * it is. An H2 file that is not there is not made; a schema older than the newest, or none (a new PostgreSQL
     * database), is neither migrated nor created. Either way the database holds no job a dry run could plan onto.
     */
    public static Optional<Store> openToReadAsIs(String url, java.util.function.Function<String, String> env, Consumer<String> notes)
            throws SQLException, DatabaseBusyException, DatabaseUrlException, DatabaseFileException, DatabaseUnavailableException,
            DatabaseLoginException, IOException {
        return exists(url) ? Optional.ofNullable(open(url, env, notes, true, false)) : Optional.empty();
    }

    /** {@code migrate} false: null for a database not at the newest schema, which is left as it is. */
    private static Store open(String url, java.util.function.Function<String, String> env, Consumer<String> notes, boolean toRead, boolean migrate)
            throws SQLException, DatabaseBusyException, DatabaseUrlException, DatabaseFileException, DatabaseUnavailableException, DatabaseLoginException, IOException {
        if (PRIVATE_MEMORY.matcher(url).matches()) {
            throw new DatabaseUrlException("the database " + Database.shown(url) + " is a private in-memory database, which only the connection that"
                    + " made it can see, and mailroom opens several; name it (jdbc:h2:mem:jobs) or use a file (jdbc:h2:./jobs)", null);
        }
        url = killSafe(url);
        Database database = Database.at(url, env);
        DatabaseFile.checkNewestState(url);
        // after the check, which refuses an empty file: this one is made empty for H2 to fill, with the mode it keeps
        if (PrivateFiles.database(url, notes)) {
            // a run in another folder (cron in $HOME) or a mistyped --db would otherwise start a job over unseen
            notes.accept("note: created a new database at " + DatabaseFile.path(url) + " (a job is kept in the database it was run with;"
                    + " --db or MAILROOM_DB chooses another)");
        }
        Path file = sharesByAutoServer(url) ? null : PrivateFiles.h2File(url);
        Connection c;
        try {
            c = database.connect();
        } catch (SQLException e) {
            // H2 90020: the file is open in another process
            if (e.getErrorCode() != 90020) {
                database.explainConnectFailure(e);
                throw e;
            }
            if (file == null) throw new DatabaseBusyException(database.shown(), e);
            Held held = awaitHeld(database, file, toRead, env, e);
            if (held.served() != null) return new Store(held.connection(), held.served(), url, notes).configured();
            c = held.connection();
        }
        if (!atNewestSchema(c)) {
            if (!migrate) {
                c.close();
                notes.accept("note: " + DatabaseFile.name(asGiven(url)) + " is not at this version's schema (a run migrates it first);"
                        + " left as it is, it is read as holding no job");
                return null;
            }
            migrate(database);
        }
        if (database.isH2()) {
            // H2 writes commits to its file in the background after up to WRITE_DELAY (500 ms); a kill in
            // that window would lose a committed outcome. 0 writes each commit before commit() returns.
            try (Statement st = c.createStatement()) {
                st.execute("SET WRITE_DELAY 0");
            }
        }
        Store store = new Store(c, database, notes).configured();
        if (file != null && !toRead) store.readers = Readers.serve(file, notes);
        if (file != null && toRead) store.reading = Readers.reading(file);
        return store;
    }

    private Store configured() throws SQLException {
        db.setAutoCommit(false);
        return this;
    }

    /** How long a command waits for an H2 file another process holds briefly (a status, a report), or for a run to serve it. */
    private static final long HELD_WAIT_MILLIS = 10_000;
    private static final long HELD_LOOK_MILLIS = 100;

    /** A connection to a file another process held: of its own once that let go, or through the run that serves it ({@code served}). */
    private record Held(Connection connection, Database served) { }

    /**
     * The H2 file {@code file} is open in another process. A run serving it: a reader connects through it (having asked
     * it to serve), a run is turned away (one process writes the file). Anything else (a reader, a run about to serve)
     * holds it briefly: looked at again until it lets go or serves, for up to {@link #HELD_WAIT_MILLIS}.
     */
    private static Held awaitHeld(Database database, Path file, boolean toRead, java.util.function.Function<String, String> env, SQLException busy)
            throws DatabaseBusyException, DatabaseUrlException, SQLException {
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(HELD_WAIT_MILLIS);
        if (toRead) Readers.ask(file);
        while (true) {
            Optional<String> served = Readers.url(file);
            if (served.isPresent()) {
                Database through = Database.at(served.get(), env);
                try {
                    Connection c = through.connect();
                    if (toRead) return new Held(c, through);
                    c.close();
                    throw new DatabaseBusyException(database.shown(), busy);
                } catch (SQLException gone) {
                    // the file names a run that is gone: as if nobody served it
                }
            }
            // a reader holding the file is waited for as long as it takes; anything else not serving it, for a while
            if (System.nanoTime() - until > 0 && (toRead || !Readers.beingRead(file))) throw new DatabaseBusyException(database.shown(), busy);
            try {
                Thread.sleep(HELD_LOOK_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DatabaseBusyException(database.shown(), busy);
            }
            try {
                return new Held(database.connect(), null);
            } catch (SQLException again) {
                if (again.getErrorCode() != 90020) throw again;
            }
        }
    }

    private static boolean sharesByAutoServer(String url) {
        return url.toUpperCase(java.util.Locale.ROOT).contains("AUTO_SERVER=TRUE");
    }

    /**
     * As {@link #open(String, java.util.function.Function, Consumer)} for a command that reads or continues jobs
     * (status, report, resume): an H2 file that does not exist is not created, which a mistyped --db or a
     * command run in another folder than the job's would do; {@code job} (null: none) is named in the refusal.
     */
    public static Store openExisting(String url, java.util.function.Function<String, String> env, Consumer<String> notes, String job)
            throws SQLException, DatabaseBusyException, DatabaseUrlException, DatabaseFileException, DatabaseUnavailableException,
            DatabaseLoginException, NoDatabaseException, IOException {
        requireExisting(url, job);
        return open(url, env, notes);
    }

    /** As {@link #openExisting}, for a command that reads (see {@link #openToRead}). */
    public static Store openExistingToRead(String url, java.util.function.Function<String, String> env, Consumer<String> notes, String job)
            throws SQLException, DatabaseBusyException, DatabaseUrlException, DatabaseFileException, DatabaseUnavailableException,
            DatabaseLoginException, NoDatabaseException, IOException {
        requireExisting(url, job);
        return openToRead(url, env, notes);
    }

    private static void requireExisting(String url, String job) throws NoDatabaseException {
        if (!exists(url)) throw new NoDatabaseException(DatabaseFile.path(url), job);
    }

    /** How messages name this database: its file, else its URL as {@link Database#shown()} shows it. */
    public String where() {
        return DatabaseFile.name(url);
    }

    static void migrate(Database database) {
        Flyway.configure().dataSource(database.url(), database.user(), database.password()).locations("classpath:db/migration")
                .javaMigrations(new AddressesFromRows()).callbacks(database.beforeMigrations()).load().migrate();
    }

    /**
     * Asks INFORMATION_SCHEMA first whether there is a history at all: a query of a missing table would do, but H2
     * logs every failed query into a new x.trace.db beside the database ("Table flyway_schema_history not found"),
     * which users rightly read as a problem.
     */
    private static boolean atNewestSchema(Connection c) {
        try (Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'flyway_schema_history'")) {
                if (!rs.next() || rs.getInt(1) == 0) return false; // no history yet: a new database
            }
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE \"version\" = '" + NEWEST_SCHEMA
                    + "' AND \"success\"")) {
                return rs.next() && rs.getInt(1) == 1;
            }
        } catch (SQLException e) {
            return false; // a history in another schema, say: Flyway decides
        }
    }

    public Optional<JobRecord> job(String name) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT * FROM jobs WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(job(rs)) : Optional.empty();
            }
        }
    }

    public List<JobRecord> jobs() throws SQLException {
        List<JobRecord> jobs = new ArrayList<>();
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM jobs ORDER BY name")) {
            while (rs.next()) jobs.add(job(rs));
        }
        return jobs;
    }

    public JobRecord createJob(String name, Instant now, String source, String settings, List<String> header, String keyColumn)
            throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(
                "INSERT INTO jobs (name, created_at, source, settings, csv_header, key_column) VALUES (?, ?, ?, ?, ?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, name);
            ps.setTimestamp(2, Timestamp.from(now));
            ps.setString(3, source);
            ps.setString(4, settings);
            ps.setString(5, CsvLine.encode(header));
            ps.setString(6, keyColumn);
            ps.executeUpdate();
            return new JobRecord(Sql.generatedKey(ps), name, now, source, settings, header, keyColumn, true, null);
        }
    }

    /** The job file the job was last run from (jobs.source); for the caller's commit. */
    public void updateSource(long jobId, String source) throws SQLException {
        Sql.update(db, "UPDATE jobs SET source = ? WHERE id = ?", source, jobId);
    }

    public void updateSettings(long jobId, String settings) throws SQLException {
        Sql.update(db, "UPDATE jobs SET settings = ? WHERE id = ?", settings, jobId);
    }

    public void putFile(long jobId, String kind, String name, byte[] content) throws SQLException {
        if (file(jobId, kind, name).isPresent()) return;
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO job_files (job_id, kind, name, content) VALUES (?, ?, ?, ?)")) {
            ps.setLong(1, jobId);
            ps.setString(2, kind);
            ps.setString(3, name);
            ps.setBytes(4, content);
            ps.executeUpdate();
        }
    }

    /**
     * A plan of {@code csv} begins: the file is kept in the job's snapshot (streamed, as it may be large) with
     * its encoding, and the plan is incomplete until {@link #planEnded}; for the caller's commit.
     */
    public void planBegins(long jobId, Path csv, java.nio.charset.Charset encoding) throws SQLException, IOException {
        deleteFiles(jobId, PLANNED_CSV);
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO job_files (job_id, kind, name, content) VALUES (?, ?, ?, ?)");
             java.io.InputStream in = java.nio.file.Files.newInputStream(csv)) {
            ps.setLong(1, jobId);
            ps.setString(2, PLANNED_CSV);
            ps.setString(3, csv.getFileName().toString());
            ps.setBinaryStream(4, in, java.nio.file.Files.size(csv));
            ps.executeUpdate();
        }
        Sql.update(db, "UPDATE jobs SET plan_complete = FALSE, planned_digest = NULL, csv_encoding = ? WHERE id = ?", encoding.name(), jobId);
    }

    /** Every row of the CSV, whose {@code digest} it was (null: not known), is planned: its copy goes; for the caller's commit. */
    public void planEnded(long jobId, String digest) throws SQLException {
        deleteFiles(jobId, PLANNED_CSV);
        Sql.update(db, "UPDATE jobs SET plan_complete = TRUE, planned_digest = ? WHERE id = ?", digest, jobId);
    }

    /** Whether any row of the job is skipped (a later plan may plan it after all). */
    public boolean hasSkipped(long jobId) throws SQLException {
        return Sql.longValue(db, "SELECT COUNT(*) FROM recipients WHERE job_id = ? AND status = 'skipped'", jobId) > 0;
    }

    /**
     * The CSV an interrupted plan was reading, as {@link #planBegins} kept it, copied to {@code to} (streamed:
     * it may be large); empty, and nothing copied, when the plan is complete.
     */
    public Optional<PlannedCsv> interruptedPlan(long jobId, Path to) throws SQLException, IOException {
        try (PreparedStatement ps = db.prepareStatement("SELECT f.name, j.csv_encoding, f.content FROM jobs j JOIN job_files f ON f.job_id = j.id"
                + " AND f.kind = ? WHERE j.id = ? AND NOT j.plan_complete")) {
            Sql.bind(ps, PLANNED_CSV, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                try (java.io.InputStream in = rs.getBinaryStream(3); java.io.OutputStream out = PrivateFiles.create(to, n -> { })) {
                    in.transferTo(out);
                }
                return Optional.of(new PlannedCsv(rs.getString(1), java.nio.charset.Charset.forName(rs.getString(2))));
            }
        }
    }

    /** A CSV kept for a plan that has not ended: its file name and encoding. */
    public record PlannedCsv(String name, java.nio.charset.Charset encoding) { }

    /** When the job's first deferred address may be tried again; empty when none is deferred. */
    public Optional<Instant> nextDue(long jobId) throws SQLException {
        // a deferred row carries the earliest time of its deferred addresses, and the status index finds those rows alone
        try (PreparedStatement ps = db.prepareStatement("SELECT MIN(not_before) FROM recipients WHERE job_id = ? AND status = 'deferred'")) {
            ps.setLong(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                Timestamp t = rs.next() ? rs.getTimestamp(1) : null;
                return Optional.ofNullable(t).map(Timestamp::toInstant);
            }
        }
    }

    public void deleteFiles(long jobId, String kind) throws SQLException {
        Sql.update(db, "DELETE FROM job_files WHERE job_id = ? AND kind = ?", jobId, kind);
    }

    public Optional<byte[]> file(long jobId, String kind, String name) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT content FROM job_files WHERE job_id = ? AND kind = ? AND name = ?")) {
            ps.setLong(1, jobId);
            ps.setString(2, kind);
            ps.setString(3, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
            }
        }
    }

    public List<String> fileNames(long jobId, String kind) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT name FROM job_files WHERE job_id = ? AND kind = ? ORDER BY name")) {
            ps.setLong(1, jobId);
            ps.setString(2, kind);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) names.add(rs.getString(1));
            }
        }
        return names;
    }

    /** A row skipped under its placeholder key ("#row-N") that now plans under its real key is dropped. */
    public void dropSyntheticSkip(long jobId, int row) throws SQLException {
        Sql.update(db, "DELETE FROM recipients WHERE job_id = ? AND rkey = ? AND status = 'skipped'", jobId, "#row-" + row);
    }

    public boolean hasSyntheticSkips(long jobId) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT 1 FROM recipients WHERE job_id = ? AND rkey LIKE '#row-%' LIMIT 1")) {
            ps.setLong(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    public boolean hasRecipients(long jobId) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT 1 FROM recipients WHERE job_id = ? LIMIT 1")) {
            ps.setLong(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    public Optional<Recipient> recipientByKey(long jobId, String key) throws SQLException {
        List<Recipient> found = Sql.recipients(db, "r WHERE job_id = ? AND rkey = ?", jobId, key);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    public void insertRecipient(long jobId, NewRecipient r, Instant now) throws SQLException {
        PreparedStatement ps = prepared.get("INSERT INTO recipients (job_id, row_no, rkey, row_values, to_addresses, message_id, status, reason,"
                + " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS);
        Sql.bind(ps, jobId, r.row(), r.key(), CsvLine.encode(r.values()), String.join("\n", r.to()), r.messageId(), r.status().label(),
                Sql.clip(r.reason()), Timestamp.from(now));
        ps.executeUpdate();
        insertAddresses(Sql.generatedKey(ps), r.addresses());
    }

    private void insertAddresses(long recipientId, List<Address> addresses) throws SQLException {
        if (addresses.isEmpty()) return;
        PreparedStatement ps = prepared.get("INSERT INTO addresses (recipient_id, seq, kind, address, status) VALUES (?, ?, ?, ?, ?)",
                Statement.NO_GENERATED_KEYS);
        for (Address a : addresses) {
            Sql.bind(ps, recipientId, a.seq(), a.kind(), a.address(), a.status().label());
            ps.addBatch();
        }
        ps.executeBatch();
    }

    /** Replaces the snapshot of a recipient that was skipped and never sent, when its row comes back fixed. */
    public void replanSkipped(long recipientId, NewRecipient r, Instant now) throws SQLException {
        int n = Sql.update(db, "UPDATE recipients SET row_no = ?, row_values = ?, to_addresses = ?, message_id = ?, status = ?, reason = ?,"
                + " updated_at = ? WHERE id = ? AND status = 'skipped'", r.row(), CsvLine.encode(r.values()), String.join("\n", r.to()),
                r.messageId(), r.status().label(), Sql.clip(r.reason()), Timestamp.from(now), recipientId);
        if (n != 1) throw new IllegalStateException("recipient " + recipientId + " is not skipped; its snapshot stays");
        Sql.update(db, "DELETE FROM addresses WHERE recipient_id = ?", recipientId);
        insertAddresses(recipientId, r.addresses());
    }

    public void commit() throws SQLException { db.commit(); }

    public void rollback() throws SQLException { db.rollback(); }

    public List<Recipient> recipients(long jobId) throws SQLException {
        return Sql.recipients(db, "r WHERE job_id = ? ORDER BY row_no, id", jobId);
    }

    /** The job's key for its attempt tokens, VERP return paths and ENVIDs (V17), made and committed when first asked for. */
    public byte[] verpKey(long jobId) throws SQLException {
        Optional<byte[]> kept = storedVerpKey(jobId);
        if (kept.isPresent()) return kept.get();
        // another process making one at the same moment: the first one written is the job's
        Sql.update(db, "UPDATE jobs SET verp_key = ? WHERE id = ? AND verp_key IS NULL",
                java.util.HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(32)), jobId);
        db.commit();
        return storedVerpKey(jobId).orElseThrow();
    }

    private Optional<byte[]> storedVerpKey(long jobId) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT verp_key FROM jobs WHERE id = ?")) {
            ps.setLong(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getString(1) != null ? Optional.of(java.util.HexFormat.of().parseHex(rs.getString(1))) : Optional.empty();
            }
        }
    }

    /** The times the job's runs were asked to slow down, oldest first. */
    public List<Throttle> throttles(long jobId) throws SQLException {
        List<Throttle> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT t.at, t.reply_code, t.reply_enhanced, t.reply_text, t.meaning, t.resume_at, t.per_second"
                + " FROM throttles t JOIN runs r ON r.id = t.run_id WHERE r.job_id = ? ORDER BY t.at, t.id")) {
            ps.setLong(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(Throttle.read(rs));
            }
        }
        return out;
    }

    public Map<RecipientStatus, Integer> counts(long jobId) throws SQLException {
        Map<RecipientStatus, Integer> counts = new EnumMap<>(RecipientStatus.class);
        for (RecipientStatus s : RecipientStatus.values()) counts.put(s, 0);
        try (PreparedStatement ps = db.prepareStatement("SELECT status, COUNT(*) FROM recipients WHERE job_id = ? GROUP BY status")) {
            ps.setLong(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) counts.put(RecipientStatus.of(rs.getString(1)), rs.getInt(2));
            }
        }
        return counts;
    }

    private static JobRecord job(ResultSet rs) throws SQLException {
        return new JobRecord(rs.getLong("id"), rs.getString("name"), rs.getTimestamp("created_at").toInstant(), rs.getString("source"),
                rs.getString("settings"), CsvLine.decode(rs.getString("csv_header")), rs.getString("key_column"), rs.getBoolean("plan_complete"),
                rs.getString("planned_digest"));
    }

    /**
     * Closes the connection; in the process serving a shared database, first waits for the other processes to close
     * theirs. The store a command opened then compacts the file when it is mostly dead space and no one else has it
     * open ({@link DatabaseFile#mostlyDead}): a wait of seconds after a large job (about 3 s per 100,000 messages sent).
     */
    @Override
    public void close() throws SQLException {
        try {
            if (readers != null) awaitReaders();
            else if (notes != null) awaitOtherProcesses();
        } finally {
            if (readers != null) readers.close();
            closeConnection();
            if (reading != null) {
                try {
                    java.nio.file.Files.deleteIfExists(reading);
                } catch (IOException e) {
                    // left behind: a run that finds the file free opens it at once all the same
                }
            }
        }
    }

    /** How long a run that ends waits for readers it serves to finish (a status, a report) before it cuts them off. */
    private static final long READERS_WAIT_MILLIS = 10_000;

    private void awaitReaders() throws SQLException {
        db.rollback();
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(READERS_WAIT_MILLIS);
        while (otherProcessSessions() > 0 && System.nanoTime() - until < 0) {
            try {
                Thread.sleep(OTHERS_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * With AUTO_SERVER the first process to open the database serves it to the others over TCP, and stops
     * serving when it exits. H2 then reconnects only a client connection in auto-commit; ours hold a
     * transaction (and the job lock), so they break: a run of another job, or a run that took this job over
     * the moment it was released, died with "Connection is broken: session closed" (exit 70). So the process
     * serving the database exits only once no other process is connected to it. H2 has no event for a
     * session closing, hence the poll.
     */
    private void awaitOtherProcesses() throws SQLException {
        if (!database.isH2()) return;
        db.rollback(); // as close() would; and hold no lock another process may be waiting for
        if (otherProcessSessions() == 0) return;
        notes.accept("this process serves the shared database to other mailroom processes; it exits when they have closed it");
        while (otherProcessSessions() > 0) {
            try {
                Thread.sleep(OTHERS_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Sessions over TCP when this one is local, i.e. served by this process; none when this process is a client itself. */
    private int otherProcessSessions() throws SQLException {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS"
                + " WHERE SERVER IS NOT NULL AND (SELECT SERVER FROM INFORMATION_SCHEMA.SESSIONS WHERE SESSION_ID = SESSION_ID()) IS NULL")) {
            rs.next();
            return rs.getInt(1);
        } finally {
            db.rollback();
        }
    }

    private void closeConnection() throws SQLException {
        boolean compact = notes != null && DatabaseFile.mostlyDead(db, url, DatabaseFile.COMPACT_MIN_DEAD);
        db.close();
        if (compact) DatabaseFile.compact(url, notes);
        try {
            PrivateFiles.tightenDatabaseFiles(url, note -> { });
        } catch (IOException e) {
            // best effort: this only catches files H2 made while the database was open (a trace file)
        }
    }
}
