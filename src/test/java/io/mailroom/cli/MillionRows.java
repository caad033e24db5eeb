package io.mailroom.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's opt-in long run: one cold `run` of a job of {@code messages} rows (a million by
 * default) on loopback, in a heap capped at 256 MB, to show whether memory stays bounded and the rate
 * holds from the first tenth of the messages to the last. Prints the whole run's rate, CPU and peak
 * RSS, the H2 file's size per message, and the rate in each tenth (from attempts.started_at).
 */
record MillionRows(int messages, Path work, Path launcher, Map<String, String> javaEnv) {
    static final String JAVA_OPTS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m";

    void run(int port) throws Exception {
        System.out.printf("%nA %,d-row job, one cold run, MAILROOM_JAVA_OPTS=\"%s\", loopback, 1 session; load average before %.2f%n",
                messages, JAVA_OPTS, Measure.loadAverage());
        BenchJob job = BenchJob.write(work.resolve("million"), port, messages, 1);
        SendBenchmark.Steal steal = SendBenchmark.Steal.start();
        Map<String, String> env = new LinkedHashMap<>(javaEnv);
        env.put("MAILROOM_JAVA_OPTS", JAVA_OPTS);
        Measure m = Measure.of(List.of(launcher.toString(), "run", job.jobFile().toString(), "--db", job.db()), env, job.dir().resolve("run.log"));
        double stolen = steal.percent();
        long bytes = job.dbBytes();
        job.expectAllSent();
        System.out.printf("%,d messages in %.1f s: %.0f msgs/s; CPU %.1f s; peak RSS %.0f MB; load average after %.2f; steal %.1f%%%n",
                messages, m.seconds(), messages / m.seconds(), m.cpuSeconds(), m.peakRssKb() / 1024.0, m.load(), stolen);
        System.out.printf("H2 file (db.mv.db): %,d bytes, %.0f bytes per message%n", bytes, (double) bytes / messages);
        SendBenchmark.printTenths("the " + String.format("%,d", messages) + "-row run", job.timeline());
        SendBenchmark.delete(job.dir());
    }
}
