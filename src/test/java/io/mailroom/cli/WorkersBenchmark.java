package io.mailroom.cli;

import io.mailroom.testing.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Part of {@link SendBenchmark}: one job sent by 1, 2, 4… workers on this machine (new processes, started
 * together, one SMTP session each) sharing a PostgreSQL database (the tests' private cluster, fsync on;
 * its schema made beforehand, as the first run ever on a database makes it),
 * against smtp-sink behind the 20 ms round-trip proxy: a stand-in for workers on separate machines, each
 * bound by its round trips. Timed from the first start to the last exit; messages per second and the
 * ratio to one worker.
 */
record WorkersBenchmark(List<Integer> workers, int messages, int rounds, Path work, Path launcher, Map<String, String> javaEnv) {

    void run(int delayedPort) throws Exception {
        PostgresServer pg = PostgresServer.get();
        Map<Integer, List<Double>> rates = new java.util.TreeMap<>();
        for (int r = 0; r < rounds; r++) {
            for (int n : workers) {
                String db = pg.newDatabase();
                BenchJob job = BenchJob.write(work.resolve("workers-" + r + "-" + n), delayedPort, messages, 1);
                migrate(job, db);
                double seconds = together(job, db, n);
                int sent = sent(db);
                if (sent != messages) throw new IllegalStateException(n + " worker(s): " + sent + " of " + messages + " sent");
                rates.computeIfAbsent(n, k -> new ArrayList<>()).add(messages / seconds);
                System.out.printf("%d worker(s), %,d messages, 20 ms RTT: %.1f s, %.1f msgs/s (load %.2f); %s%n", n, messages, seconds, messages / seconds,
                        Measure.loadAverage(), timelines(db));
                SendBenchmark.delete(job.dir());
            }
        }
        double one = Table.median(rates.getOrDefault(1, List.of(Double.NaN)).stream().sorted().toList());
        System.out.printf("%n| workers | messages | msgs/s (median of %d) | vs 1 worker |%n|---|---|---|---|%n", rounds);
        rates.forEach((n, list) -> {
            double median = Table.median(list.stream().sorted().toList());
            System.out.printf("| %d | %,d | %.1f | %.2f× |%n", n, messages, median, median / one);
        });
    }

    /** Makes the database's schema (`mailroom status`), as the first run ever on it did: not part of the timed runs. */
    private void migrate(BenchJob job, String db) throws Exception {
        Process p = worker(List.of("status", "--db", db), job.dir().resolve("migrate.log")).start();
        if (p.waitFor() != 0) throw new IllegalStateException("mailroom status exited " + p.exitValue() + ": see " + job.dir().resolve("migrate.log"));
    }

    private ProcessBuilder worker(List<String> args, Path log) {
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("MAILROOM_DB");
        pb.environment().remove("MAILROOM_JAVA_OPTS");
        pb.environment().putAll(javaEnv);
        pb.environment().put("PGPASSWORD", PostgresServer.PASSWORD);
        return pb;
    }

    /** Starts {@code n} workers on the job at once; seconds from the first start until the last has exited (each must exit 0). */
    private double together(BenchJob job, String db, int n) throws Exception {
        List<Process> started = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            started.add(worker(List.of("run", job.jobFile().toString(), "--db", db), job.dir().resolve("worker-" + i + ".log")).start());
        }
        for (int i = 0; i < n; i++) {
            int exit = started.get(i).waitFor();
            if (exit != 0) throw new IllegalStateException("worker " + i + " exited " + exit + ": see " + job.dir().resolve("worker-" + i + ".log"));
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Each worker's first and last attempt and its end, in seconds after the first run began, and its messages: where the time went. */
    private static String timelines(String db) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Connection c = DriverManager.getConnection(PostgresServer.withPassword(db)); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT EXTRACT(EPOCH FROM MIN(a.started_at) - (SELECT MIN(started_at) FROM runs)),"
                     + " EXTRACT(EPOCH FROM MAX(a.started_at) - (SELECT MIN(started_at) FROM runs)), COUNT(*),"
                     + " EXTRACT(EPOCH FROM MAX(u.finished_at) - (SELECT MIN(started_at) FROM runs)) FROM attempts a"
                     + " JOIN runs u ON u.id = a.run_id GROUP BY u.worker_id ORDER BY 1")) {
            while (rs.next()) out.append(String.format("%s%.1f–%.1f s: %d (ended %.1f s)", out.length() == 0 ? "workers sent " : ", ", rs.getDouble(1),
                    rs.getDouble(2), rs.getInt(3), rs.getDouble(4)));
        }
        return out.toString();
    }

    private static int sent(String db) throws Exception {
        try (Connection c = DriverManager.getConnection(PostgresServer.withPassword(db)); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM recipients WHERE status = 'sent'")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
