package io.mailroom.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One child process the benchmark timed from its start to its exit: wall seconds, and, where GNU time is
 * installed (/usr/bin/time, which wraps the command), its CPU seconds (user + system, children included)
 * and peak resident set; the host's one-minute load average just after it ended; and its exit code.
 * {@code cpuSeconds} is NaN and {@code peakRssKb} -1 without GNU time. {@code cpuByThread}: where the CPU went ({@link ThreadCpu}).
 */
record Measure(double seconds, double cpuSeconds, long peakRssKb, double load, int exit, Map<String, Double> cpuByThread) {
    private static final Path TIME = Path.of("/usr/bin/time");

    /**
     * Runs {@code command} with {@code env} added to this process's environment, output to {@code log};
     * throws, quoting the end of the log, if it exits other than 0.
     */
    static Measure of(List<String> command, Map<String, String> env, Path log) throws IOException, InterruptedException {
        return of(command, env, log, Set.of(0));
    }

    /** As {@link #of(List, Map, Path)}, accepting any exit code in {@code accepted}. */
    static Measure of(List<String> command, Map<String, String> env, Path log, Set<Integer> accepted) throws IOException, InterruptedException {
        Path usage = log.resolveSibling(log.getFileName() + ".time");
        boolean gnuTime = Files.isExecutable(TIME);
        List<String> cmd = new ArrayList<>();
        if (gnuTime) cmd.addAll(List.of(TIME.toString(), "-f", "%e %U %S %M", "-o", usage.toString()));
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("MAILROOM_DB");
        pb.environment().remove("MAILROOM_JAVA_OPTS");
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Process process = pb.start();
        ThreadCpu threads = ThreadCpu.watch(process);
        int exit = process.waitFor();
        double seconds = (System.nanoTime() - t0) / 1e9;
        double load = loadAverage();
        if (!accepted.contains(exit)) {
            String out = Files.readString(log, StandardCharsets.UTF_8);
            throw new IllegalStateException(String.join(" ", command) + " exited " + exit + ":\n" + out.substring(Math.max(0, out.length() - 4000)));
        }
        if (!gnuTime) return new Measure(seconds, Double.NaN, -1, load, exit, threads.seconds());
        List<String> lines = Files.readAllLines(usage);
        String[] f = lines.get(lines.size() - 1).trim().split(" ");
        return new Measure(seconds, Double.parseDouble(f[1]) + Double.parseDouble(f[2]), Long.parseLong(f[3]), load, exit, threads.seconds());
    }

    /** The one-minute load average (/proc/loadavg), NaN where there is none. */
    static double loadAverage() throws IOException {
        Path p = Path.of("/proc/loadavg");
        return Files.exists(p) ? Double.parseDouble(Files.readString(p).trim().split("\\s+")[0]) : Double.NaN;
    }
}
