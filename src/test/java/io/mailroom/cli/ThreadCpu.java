package io.mailroom.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * CPU seconds by thread of a child process and its descendants (the JVM the launcher execs), read from
 * /proc/PID/task/TID/stat every 50 ms while it runs: a thread's last reading stands for it, so the last
 * 50 ms of each are missed. Threads are grouped by name with digits dropped ("mailroom-lane-N"). Empty
 * where there is no /proc.
 */
final class ThreadCpu {
    private static final double TICKS_PER_SECOND = 100;

    private final Map<String, double[]> byTask = new ConcurrentHashMap<>();
    private final Thread poller;

    private ThreadCpu(Process p) {
        poller = new Thread(() -> {
            while (p.isAlive()) {
                Stream.concat(Stream.of(p.toHandle()), p.descendants()).forEach(h -> read(h.pid()));
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "thread-cpu");
        poller.setDaemon(true);
        poller.start();
    }

    static ThreadCpu watch(Process p) {
        return new ThreadCpu(p);
    }

    private void read(long pid) {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            tasks.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("\\d+", "N");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    byTask.put(pid + "/" + task.getFileName() + "/" + name, new double[] {(Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND});
                } catch (IOException | RuntimeException ended) {
                    // the thread ended between the listing and the read
                }
            });
        } catch (IOException | RuntimeException ended) {
            // the process ended, or there is no /proc
        }
    }

    /** Seconds by thread name, largest first; call after the process ended. */
    Map<String, Double> seconds() throws InterruptedException {
        poller.join();
        Map<String, Double> sum = new java.util.TreeMap<>();
        byTask.forEach((key, s) -> sum.merge(key.substring(key.indexOf('/', key.indexOf('/') + 1) + 1), s[0], Double::sum));
        Map<String, Double> out = new LinkedHashMap<>();
        sum.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
