package io.mailroom.cli;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A benchmark, not a test: messages per second over one session, mailroom (rendering every message from
 * its row and recording every attempt in H2) against Postfix's smtp-sink, with and without PIPELINING,
 * on loopback and behind a proxy that delays each direction by 10 ms; beside a Jakarta Mail
 * Transport.sendMessage loop and Postfix's smtp-source -d -s 1 against the same sink. Without Postfix
 * the sink is an in-process GreenMail, which offers no PIPELINING, and smtp-source is left out.
 *
 *   mvn -B -q -Pbench test-compile exec:java [-Dbench.messages=5000] [-Dbench.delayed=300] [-Dbench.rounds=3]
 */
public final class SendBenchmark {
    private static final int DELAY_MS = 10;

    public static void main(String[] args) throws Exception {
        int n = Integer.getInteger("bench.messages", 5000);
        int delayedN = Integer.getInteger("bench.delayed", 300);
        int rounds = Integer.getInteger("bench.rounds", 3);
        boolean postfix = Files.isExecutable(Path.of("/usr/sbin/smtp-sink")) && Files.isExecutable(Path.of("/usr/sbin/smtp-source"));
        if (!postfix) {
            System.out.println("no smtp-sink (apt-get install postfix): the sink is GreenMail, which offers no PIPELINING, so every"
                    + " mailroom row is lock-step; smtp-source is left out");
        }
        Path work = Files.createTempDirectory("mailroom-bench");
        System.out.printf("mailroom send benchmark: %d messages on loopback (median of %d interleaved rounds), %d behind %d ms each way;"
                        + " %s, %d cores, Java %s%n",
                n, rounds, delayedN, DELAY_MS, System.getProperty("os.name"), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        try (Sink piped = Sink.start(postfix, false); Sink lockStep = Sink.start(postfix, true)) {
            warmUp(work, piped.port);
            piped.clear();
            // loopback figures swing with whatever else the host runs: each round runs every contender once, in turn
            Steal steal = Steal.start();
            Map<String, Rates> rates = new LinkedHashMap<>();
            for (int r = 0; r < rounds; r++) {
                rate(rates, "mailroom run (plan + send), PIPELINING", n, mailroom(work, "pipe" + r, piped.port, n));
                rate(rates, "mailroom send only, PIPELINING", n - 1, mailroomSendOnly(work, "pipe-send" + r, piped.port, n));
                rate(rates, "mailroom send only, lock-step", n - 1, mailroomSendOnly(work, "lock-send" + r, lockStep.port, n));
                rate(rates, "Jakarta Transport.sendMessage loop", n, jakarta(piped.port, n));
                if (postfix) rate(rates, "smtp-source -d -s 1", n, smtpSource(piped.port, n));
                piped.clear();
                lockStep.clear();
            }
            rates.forEach((what, r) -> {
                List<Double> sorted = r.perSecond().stream().sorted().toList();
                System.out.printf("%-42s %7d msgs %9.0f msgs/s (%.0f-%.0f)%n", what, r.messages(), sorted.get(sorted.size() / 2), sorted.get(0),
                        sorted.get(sorted.size() - 1));
            });
            System.out.printf("CPU time the host took from this machine during the loopback rounds (steal): %.0f%%%n", steal.percent());
            try (DelayProxy toPiped = new DelayProxy(piped.port); DelayProxy toLockStep = new DelayProxy(lockStep.port)) {
                row("mailroom send only, PIPELINING, 20 ms RTT", delayedN - 1, mailroomSendOnly(work, "pipe-rtt", toPiped.port(), delayedN));
                row("mailroom send only, lock-step, 20 ms RTT", delayedN - 1, mailroomSendOnly(work, "lock-rtt", toLockStep.port(), delayedN));
                row("Jakarta loop, 20 ms RTT", delayedN, jakarta(toPiped.port(), delayedN));
                if (postfix) row("smtp-source -d -s 1, 20 ms RTT", delayedN, smtpSource(toPiped.port(), delayedN));
            }
        }
    }

    /** One contender's rounds on loopback: messages per round and the rate each round reached. */
    private record Rates(int messages, List<Double> perSecond) { }

    private static void rate(Map<String, Rates> rates, String what, int n, double seconds) {
        rates.computeIfAbsent(what, k -> new Rates(n, new ArrayList<>())).perSecond().add(n / seconds);
    }

    private static void row(String what, int n, double seconds) {
        System.out.printf("%-42s %7d msgs %9.0f msgs/s%n", what, n, n / seconds);
    }

    /** The share of CPU time the hypervisor gave to other guests ("st" in vmstat), from /proc/stat. */
    private record Steal(long[] atStart) {
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

    /** Until the JIT has compiled the hot paths: the first jobs in a fresh JVM run at half speed or less. */
    private static void warmUp(Path work, int port) throws Exception {
        for (int i = 0; i < 3; i++) mailroomSendOnly(work, "warm" + i, port, 10_000);
        jakarta(port, 10_000);
    }

    /** A whole `run`: snapshot and plan every row, then render, record and send each message. */
    private static double mailroom(Path work, String name, int port, int n) throws Exception {
        Path dir = job(work, name, port, n);
        long t0 = System.nanoTime();
        mailroom(name, "run", dir.resolve("b.job").toString(), "--db", db(dir));
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Plans the job and sends one message (run --limit 1), then times `resume`: rendering, recording and sending the rest. */
    private static double mailroomSendOnly(Path work, String name, int port, int n) throws Exception {
        Path dir = job(work, name, port, n);
        Main.execute(quiet(), "run", dir.resolve("b.job").toString(), "--limit", "1", "--db", db(dir));
        long t0 = System.nanoTime();
        mailroom(name, "resume", name, "--db", db(dir));
        return (System.nanoTime() - t0) / 1e9;
    }

    private static String db(Path dir) {
        return "jdbc:h2:" + dir.resolve("db").toAbsolutePath();
    }

    private static Context quiet() {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        return new Context(quiet, quiet, Map.<String, String>of()::get, Clock.systemUTC(), d -> Thread.sleep(d.toMillis()), new io.mailroom.send.Stop());
    }

    private static void mailroom(String name, String... args) {
        int exit = Main.execute(quiet(), args);
        if (exit != 0) throw new IllegalStateException(name + ": mailroom " + args[0] + " exited " + exit);
    }

    private static Path job(Path work, String name, int port, int n) throws Exception {
        Path dir = Files.createDirectories(work.resolve(name));
        StringBuilder csv = new StringBuilder("email,first_name,amount\n");
        for (int i = 0; i < n; i++) csv.append("user").append(i).append("@example.com,Name").append(i).append(',').append(i * 3).append('\n');
        Files.writeString(dir.resolve("r.csv"), csv);
        Files.writeString(dir.resolve("m.ftl"), "From: Team <team@example.com>\nTo: ${first_name} <${email}>\nSubject: Hello ${first_name}\n\n"
                + "Dear ${first_name},\n\nyour balance is ${amount} EUR.\n\nRegards\n");
        Files.writeString(dir.resolve("b.job"), "name=" + name + "\nrecipients=r.csv\ntemplate=m.ftl\nsmtp.host=127.0.0.1\nsmtp.port=" + port
                + "\nsmtp.security=none\n");
        return dir;
    }

    private static double jakarta(int port, int n) throws Exception {
        Properties p = new Properties();
        p.setProperty("mail.smtp.host", "127.0.0.1");
        p.setProperty("mail.smtp.port", String.valueOf(port));
        Session session = Session.getInstance(p);
        long t0 = System.nanoTime();
        try (Transport t = session.getTransport("smtp")) {
            t.connect();
            for (int i = 0; i < n; i++) {
                MimeMessage m = new MimeMessage(session);
                m.setFrom(new InternetAddress("team@example.com", "Team"));
                m.setRecipient(Message.RecipientType.TO, new InternetAddress("user" + i + "@example.com", "Name" + i));
                m.setSubject("Hello Name" + i, "UTF-8");
                m.setText("Dear Name" + i + ",\n\nyour balance is " + i * 3 + " EUR.\n\nRegards\n", "UTF-8");
                m.saveChanges();
                t.sendMessage(m, m.getAllRecipients());
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double smtpSource(int port, int n) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("/usr/sbin/smtp-source", "-d", "-s", "1", "-m", String.valueOf(n), "-l", "300",
                "-f", "team@example.com", "-t", "user@example.com", "127.0.0.1:" + port).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IllegalStateException("smtp-source failed: " + out);
        return (System.nanoTime() - t0) / 1e9;
    }

    /** A sink on a loopback port: Postfix's smtp-sink ({@code lockStep} turns PIPELINING off: -P), else GreenMail. */
    private record Sink(Process process, GreenMail greenMail, int port) implements AutoCloseable {
        static Sink start(boolean postfix, boolean lockStep) throws Exception {
            if (!postfix) {
                GreenMail g = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
                g.start();
                return new Sink(null, g, g.getSmtp().getPort());
            }
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            List<String> cmd = new ArrayList<>(List.of("/usr/sbin/smtp-sink"));
            if (lockStep) cmd.add("-P");
            if ("root".equals(System.getProperty("user.name"))) cmd.addAll(List.of("-u", "postfix"));
            cmd.addAll(List.of("127.0.0.1:" + port, "256"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            for (int i = 0; i < 100; i++) {
                try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    return new Sink(p, null, port);
                } catch (IOException notYet) {
                    Thread.sleep(20);
                }
            }
            p.destroy();
            throw new IOException("smtp-sink did not start");
        }

        /** GreenMail keeps what it receives: dropped between rounds. */
        void clear() throws Exception {
            if (greenMail != null) greenMail.purgeEmailFromAllMailboxes();
        }

        @Override
        public void close() {
            if (process != null) process.destroy();
            if (greenMail != null) greenMail.stop();
        }
    }

    /** Forwards each direction after a fixed delay, keeping order: a link with a 20 ms round trip. */
    private static final class DelayProxy implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final int target;

        DelayProxy(int target) throws IOException {
            this.target = target;
            daemon(() -> {
                while (!listener.isClosed()) {
                    try {
                        Socket client = listener.accept();
                        Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                        client.setTcpNoDelay(true);
                        server.setTcpNoDelay(true);
                        pipe(client.getInputStream(), server.getOutputStream());
                        pipe(server.getInputStream(), client.getOutputStream());
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        int port() { return listener.getLocalPort(); }

        private record Chunk(long due, byte[] bytes) { }

        private static void pipe(InputStream in, OutputStream out) {
            LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
            daemon(() -> {
                byte[] buf = new byte[65536];
                try {
                    int r;
                    while ((r = in.read(buf)) > 0) queue.put(new Chunk(System.nanoTime() + DELAY_MS * 1_000_000L, Arrays.copyOf(buf, r)));
                } catch (IOException | InterruptedException ignored) {
                    // connection closed
                }
                queue.add(new Chunk(0, new byte[0]));
            });
            daemon(() -> {
                try {
                    while (true) {
                        Chunk c = queue.take();
                        if (c.bytes().length == 0) {
                            out.close();
                            return;
                        }
                        long wait = c.due() - System.nanoTime();
                        if (wait > 0) Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                        out.write(c.bytes());
                        out.flush();
                    }
                } catch (IOException | InterruptedException ignored) {
                    // connection closed
                }
            });
        }

        private static void daemon(Runnable r) {
            Thread t = new Thread(r, "delay-proxy");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
