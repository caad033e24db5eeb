package io.mailroom.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The benchmark's opt-in long run: one cold `run` of a job of {@code messages} rows (a million by
 * default) on loopback, in a heap capped at 256 MB, to show whether memory stays bounded and the rate
 * holds from the first tenth of the messages to the last. Prints the whole run's rate, CPU and peak
 * RSS, the H2 file's size per message, and the rate in each tenth (from attempts.started_at). The run
 * is bounded by mailroom's own --max-duration: one that has not finished by then stops (exit 75) and is
 * reported as far as it got.
 */
record MillionRows(int messages, Path work, Path launcher, Map<String, String> javaEnv) {
    static final String JAVA_OPTS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m";
    static final String AT_MOST = "40m";

    void run(int port) throws Exception {
        System.out.printf("%nA %,d-row job, one cold run, MAILROOM_JAVA_OPTS=\"%s\", loopback, 1 session, --max-duration %s; load average before %.2f%n",
                messages, JAVA_OPTS, AT_MOST, Measure.loadAverage());
        BenchJob job = BenchJob.write(work.resolve("million"), port, messages, 1);
        SendBenchmark.Steal steal = SendBenchmark.Steal.start();
        Map<String, String> env = new LinkedHashMap<>(javaEnv);
        env.put("MAILROOM_JAVA_OPTS", JAVA_OPTS);
        Measure m = Measure.of(List.of(launcher.toString(), "run", job.jobFile().toString(), "--db", job.db(), "--max-duration", AT_MOST), env,
                job.dir().resolve("run.log"), Set.of(0, ExitCodes.TEMPFAIL));
        double stolen = steal.percent();
        long bytes = job.dbBytes();
        int sent = job.sent();
        if (m.exit() != 0) System.out.printf("NOT FINISHED: the run stopped at --max-duration %s (exit %d) with %,d of %,d sent%n", AT_MOST, m.exit(), sent, messages);
        System.out.printf("%,d messages sent in %.1f s: %.0f msgs/s; CPU %.1f s; peak RSS %.0f MB; load average after %.2f; steal %.1f%%%n",
                sent, m.seconds(), sent / m.seconds(), m.cpuSeconds(), m.peakRssKb() / 1024.0, m.load(), stolen);
        System.out.printf("H2 file (db.mv.db): %,d bytes, %.0f bytes per row (%,d rows planned)%n", bytes, (double) bytes / messages, messages);
        SendBenchmark.printTenths("the " + String.format("%,d", messages) + "-row run", job.timeline());
        SendBenchmark.delete(job.dir());
    }
}
