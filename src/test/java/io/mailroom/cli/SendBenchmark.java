package io.mailroom.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A benchmark, not a test: messages per second the way users run mailroom, each `run` a new process
 * (target/mailroom, the launcher `mvn package` makes, with a fresh H2 file database), timed from process
 * start to exit: JVM start, Flyway, planning and sending (they overlap), recording. Its peers run in the
 * same rounds, interleaved: a Jakarta Mail {@code Transport.sendMessage} loop in a new JVM
 * ({@link JakartaLoop}, with the launcher's JVM flags) and Postfix's smtp-source, all against Postfix's
 * smtp-sink on loopback and behind {@link DelayProxy} (20 ms round trip). Then, on request, the same job
 * in this warmed JVM, and one cold run of a million rows with a 256 MB heap. Needs Postfix (smtp-sink and
 * smtp-source) and target/mailroom.
 *
 * <pre>
 *   mvn -B -q -Pbench -DskipTests package exec:exec [-Dbench.rounds=3] [-Dbench.loopback=20000,100000]
 *       [-Dbench.delayed=1000] [-Dbench.connections=4] [-Dbench.warm=20000] [-Dbench.million=false]
 *       [-Dbench.workers=1,2,4 -Dbench.workerMessages=4000]
 * </pre>
 * bench.warm=0 leaves the warm rows out, bench.delayed=0 the 20 ms RTT rows; bench.million=true runs 1,000,000 rows (a number runs that many);
 * with -Dbench.rounds=0 -Dbench.warm=0 that run is all it does. bench.workers runs {@link WorkersBenchmark} last (it needs PostgreSQL),
 * for bench.rounds rounds (at least one).
 */
public final class SendBenchmark {
    /** The launcher's own flags (src/main/sh/mailroom), given to the Jakarta peer's JVM too. */
    static final List<String> LAUNCHER_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    record Settings(int rounds, List<Integer> loopback, int delayed, int connections, int warm, int million, List<Integer> workers, int workerMessages) {
        static Settings fromSystemProperties() {
            String million = System.getProperty("bench.million", "false").trim();
            return new Settings(Integer.getInteger("bench.rounds", 3), numbers(System.getProperty("bench.loopback", "20000,100000")),
                    Integer.getInteger("bench.delayed", 1000), Integer.getInteger("bench.connections", 4), Integer.getInteger("bench.warm", 20000),
                    million.equals("true") ? 1_000_000 : million.equals("false") || million.isEmpty() ? 0 : Integer.parseInt(million),
                    numbers(System.getProperty("bench.workers", "")), Integer.getInteger("bench.workerMessages", 4000));
        }

        private static List<Integer> numbers(String list) {
            return Arrays.stream(list.split(",")).map(String::trim).filter(n -> !n.isEmpty()).map(Integer::valueOf).toList();
        }
    }

    private final Settings settings;
    private final Path work;
    private final Path launcher;
    private final Table table = new Table();
    /** H2 file bytes per message of each loopback mailroom run, by job size. */
    private final Map<Integer, List<Double>> dbBytesPerMessage = new LinkedHashMap<>();
    private BenchJob.Timeline lastLargest;
    private Map<String, Double> lastLargestThreads;

    private SendBenchmark(Settings settings, Path work, Path launcher) {
        this.settings = settings;
        this.work = work;
        this.launcher = launcher;
    }

    public static void main(String[] args) throws Exception {
        Path launcher = Path.of("target", "mailroom").toAbsolutePath();
        if (!SmtpSink.installed() || !Files.isExecutable(launcher)) {
            System.err.println("needs Postfix's smtp-sink and smtp-source (apt-get install postfix) and target/mailroom (mvn package)");
            System.exit(1);
        }
        Settings s = Settings.fromSystemProperties();
        Path work = Files.createTempDirectory("mailroom-bench");
        System.out.printf("mailroom send benchmark: %s; Java %s; %d cores; load average at start %.2f%n", s,
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), Measure.loadAverage());
        try (SmtpSink sink = SmtpSink.start(); DelayProxy proxy = new DelayProxy(sink.port())) {
            new SendBenchmark(s, work, launcher).run(sink.port(), proxy.port());
        } finally {
            delete(work);
        }
    }

    private void run(int port, int delayedPort) throws Exception {
        Steal steal = Steal.start();
        for (int r = 0; r < settings.rounds(); r++) {
            loopbackRound(r, port);
            if (settings.delayed() > 0) delayedRound(r, delayedPort);
        }
        double stolen = steal.percent();
        if (settings.warm() > 0) warmRows(port);
        if (settings.rounds() > 0 || settings.warm() > 0) table.print(System.out);
        if (settings.rounds() > 0) System.out.printf("%nCPU time the host took from this machine during the cold rounds (steal): %.1f%%%n", stolen);
        dbBytesPerMessage.forEach((n, perMessage) -> System.out.printf("H2 file (db.mv.db) after a %,d-message run: %.0f bytes per message%n",
                n, Table.median(perMessage.stream().sorted().toList())));
        if (lastLargest != null) printTenths("last round's largest loopback run", lastLargest);
        if (lastLargestThreads != null) printThreads("last round's largest loopback run", lastLargestThreads);
        if (settings.million() > 0) new MillionRows(settings.million(), work, launcher, javaEnv()).run(port);
        if (!settings.workers().isEmpty()) {
            new WorkersBenchmark(settings.workers(), settings.workerMessages(), Math.max(1, settings.rounds()), work, launcher, javaEnv()).run(delayedPort);
        }
    }

    private void loopbackRound(int r, int port) throws Exception {
        for (int n : settings.loopback()) {
            BenchJob job = BenchJob.write(work.resolve("loop-" + r + "-" + n), port, n, 1);
            Measure run = mailroom(job, Map.of());
            table.add("`mailroom run`, new process, loopback, 1 session", n, run);
            dbBytesPerMessage.computeIfAbsent(n, k -> new ArrayList<>()).add((double) job.dbBytes() / n);
            job.expectAllSent();
            if (n == settings.loopback().stream().max(Comparator.naturalOrder()).orElseThrow()) {
                lastLargest = job.timeline();
                lastLargestThreads = run.cpuByThread();
            }
            delete(job.dir());
            table.add("Jakarta `Transport.sendMessage` loop, new JVM, loopback", n, jakarta(port, n));
            table.add("`smtp-source -d -s 1`, loopback", n, source(port, n, 1));
        }
    }

    private void delayedRound(int r, int port) throws Exception {
        int n = settings.delayed();
        int c = settings.connections();
        table.add("`mailroom run`, new process, 20 ms RTT, 1 session", n, mailroomOnce(work.resolve("rtt1-" + r), port, n, 1));
        table.add("Jakarta loop, new JVM, 20 ms RTT", n, jakarta(port, n));
        table.add("`smtp-source -d -s 1`, 20 ms RTT", n, source(port, n, 1));
        table.add("`mailroom run`, new process, 20 ms RTT, smtp.connections=" + c, n, mailroomOnce(work.resolve("rtt" + c + "-" + r), port, n, c));
        table.add("`smtp-source -d -s " + c + "`, 20 ms RTT", n, source(port, n, c));
    }

    private Measure mailroomOnce(Path dir, int port, int n, int connections) throws Exception {
        BenchJob job = BenchJob.write(dir, port, n, connections);
        Measure m = mailroom(job, Map.of());
        job.expectAllSent();
        delete(dir);
        return m;
    }

    /** One cold `run` of {@code job} through the launcher; {@code env} adds to the launcher's environment. */
    Measure mailroom(BenchJob job, Map<String, String> env) throws Exception {
        Map<String, String> all = new LinkedHashMap<>(javaEnv());
        all.putAll(env);
        return Measure.of(List.of(launcher.toString(), "run", job.jobFile().toString(), "--db", job.db()), all, job.dir().resolve("run.log"));
    }

    /** The launcher runs `$JAVA`: the JVM this benchmark and the Jakarta peer run on. */
    private static Map<String, String> javaEnv() {
        return Map.of("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private Measure jakarta(int port, int n) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(javaEnv().get("JAVA")));
        cmd.addAll(LAUNCHER_FLAGS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), JakartaLoop.class.getName(), String.valueOf(port), String.valueOf(n)));
        return Measure.of(cmd, Map.of(), work.resolve("jakarta.log"));
    }

    private Measure source(int port, int n, int sessions) throws Exception {
        return Measure.of(SmtpSink.source(port, n, sessions), Map.of(), work.resolve("smtp-source.log"));
    }

    /** In this JVM, after three 10,000-message jobs and a Jakarta loop of as many: what no user's first run gets. */
    private void warmRows(int port) throws Exception {
        for (int i = 0; i < 3; i++) inProcess(BenchJob.write(work.resolve("warm-up-" + i), port, 10_000, 1));
        JakartaLoop.send(port, 10_000);
        int n = settings.warm();
        for (int r = 0; r < settings.rounds(); r++) {
            table.add("warm JVM: `mailroom run` in the benchmark's JVM, loopback, 1 session", n,
                    inProcess(BenchJob.write(work.resolve("warm-" + r), port, n, 1)));
            long t0 = System.nanoTime();
            JakartaLoop.send(port, n);
            table.add("warm JVM: Jakarta loop in the benchmark's JVM, loopback", n, new Measure((System.nanoTime() - t0) / 1e9, Double.NaN, -1, Measure.loadAverage(), 0, Map.of()));
        }
    }

    private static Measure inProcess(BenchJob job) throws Exception {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        Context ctx = new Context(quiet, quiet, Map.<String, String>of()::get, Clock.systemUTC(), d -> Thread.sleep(d.toMillis()), new io.mailroom.send.Stop());
        long t0 = System.nanoTime();
        int exit = Main.execute(ctx, "run", job.jobFile().toString(), "--db", job.db());
        Measure m = new Measure((System.nanoTime() - t0) / 1e9, Double.NaN, -1, Measure.loadAverage(), exit, Map.of());
        if (exit != 0) throw new IllegalStateException(job.dir() + ": mailroom run exited " + exit);
        job.expectAllSent();
        delete(job.dir());
        return m;
    }

    static void printTenths(String what, BenchJob.Timeline t) {
        if (t.startedMicros().length < 100) {
            System.out.printf("%s: %d attempt(s), too few for a rate per tenth%n", what, t.startedMicros().length);
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (double rate : t.tenths()) sb.append(String.format(" %.0f", rate));
        System.out.printf("%s: first attempt %.2f s after the run began; msgs/s in each tenth of the messages:%s%n", what, t.firstAttemptSeconds(), sb);
    }

    /** Where a run's CPU went, by thread, as far as /proc showed it. */
    static void printThreads(String what, Map<String, Double> seconds) {
        StringBuilder sb = new StringBuilder();
        seconds.forEach((name, s) -> {
            if (s >= 0.05) sb.append(String.format("%s%s %.2f", sb.length() == 0 ? "" : ", ", name, s));
        });
        System.out.printf("%s, CPU seconds by thread: %s%n", what, sb);
    }

    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /** The share of CPU time the hypervisor gave to other guests ("st" in vmstat), from /proc/stat. */
    record Steal(long[] atStart) {
        static Steal start() throws IOException {
            return new Steal(cpu());
        }

        double percent() throws IOException {
            long[] end = cpu();
            long total = 0;
            for (int i = 0; i < end.length; i++) total += end[i] - atStart[i];
            return end.length > 7 && total > 0 ? 100.0 * (end[7] - atStart[7]) / total : 0;
        }

        private static long[] cpu() throws IOException {
            Path stat = Path.of("/proc/stat");
            if (!Files.exists(stat)) return new long[0];
            String[] f = Files.readAllLines(stat).get(0).trim().split("\\s+");
            long[] v = new long[Math.min(f.length - 1, 8)];
            for (int i = 0; i < v.length; i++) v[i] = Long.parseLong(f[i + 1]);
            return v;
        }
    }
}
