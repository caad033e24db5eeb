package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.Child;
import io.mailroom.testing.GreenMailServer;
import io.mailroom.testing.JobDir;
import io.mailroom.testing.ScriptedSmtpServer;
import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 at random moments (seeded), then resume, many rounds, against what the server actually
 * received: every address received exactly once, except addresses the database marks unknown, received at
 * most once; no address lost; the database's sent count equals the server's count of those addresses; and
 * a kill leaves at most one message per open session unknown (the one whose final "." was on the wire).
 */
class CrashTest {
    private static final int ROWS = 300;
    private static final int KILLS = 50;

    @TempDir
    Path dir;

    @Test
    void fiftyKillsOfOneSessionNeverDuplicateOrLoseAKeyAndLeaveAtMostOneUnknownEach() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().pipelining(true).queueing(20)) {
            Map<String, Integer> received = crashAndResume(server.port(), 4300, KILLS, () -> {
                Map<String, Integer> counts = new HashMap<>();
                server.received().forEach(r -> counts.merge(r.recipients().get(0), 1, Integer::sum));
                return counts;
            });
            assertEquals(ROWS, received.values().stream().mapToInt(Integer::intValue).sum() + unknownNeverReceived);
        }
    }

    @Test
    void fiftyKillsOfThreeSessionsCarryingACcAndABccNeverDuplicateOrLoseAnAddress() throws Exception {
        perRow = 3;
        sessions = 3;
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().pipelining(true).queueing(20)) {
            Map<String, Integer> received = crashAndResume(server.port(), 5100, KILLS, () -> {
                Map<String, Integer> counts = new HashMap<>();
                server.received().forEach(r -> r.recipients().forEach(a -> counts.merge(a, 1, Integer::sum)));
                return counts;
            });
            assertEquals(ROWS * 3, received.values().stream().mapToInt(Integer::intValue).sum() + unknownNeverReceived);
        }
    }

    @Test
    void killedRunsResumedOverGreenMailNeverDuplicateOrLoseAKey() throws Exception {
        try (GreenMailServer server = new GreenMailServer()) {
            crashAndResume(server.smtpPort(), 1750, 8, () -> {
                Map<String, Integer> counts = new HashMap<>();
                for (var m : server.received()) {
                    try {
                        counts.merge(((InternetAddress) m.getRecipients(Message.RecipientType.TO)[0]).getAddress(), 1, Integer::sum);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
                return counts;
            }, GreenMailServer.USER, GreenMailServer.PASSWORD);
        }
    }

    private int unknownNeverReceived;
    /** Envelope addresses per row: 1 (To), or 3 (To, Cc, Bcc). */
    private int perRow = 1;
    private int sessions = 1;
    private int killedMidJob;
    private int killed;

    private Map<String, Integer> crashAndResume(int port, long seed, int kills, Supplier<Map<String, Integer>> receivedByKey, String... auth) throws Exception {
        JobDir job = new JobDir(dir.resolve("job")).numberedRecipients(ROWS).smtp("127.0.0.1", port, "none");
        if (perRow == 3) job.file("message.ftl", JobDir.TEMPLATE.replace("Subject:", "Cc: cc-${n}@example.com\nBcc: bcc-${n}@example.com\nSubject:"));
        job.set("smtp.connections", String.valueOf(sessions));
        if (auth.length == 2) {
            job.set("smtp.username", auth[0]).set("smtp.password.env", "MAILROOM_SMTP_PASSWORD").set("smtp.allow-plaintext-auth", "true");
        }
        Path jobFile = job.write();
        String db = "jdbc:h2:" + dir.resolve("db").toAbsolutePath();
        Map<String, String> env = auth.length == 2 ? Map.of("MAILROOM_SMTP_PASSWORD", auth[1]) : Map.of();

        Random random = new Random(seed);
        List<Integer> exits = new ArrayList<>();
        for (int round = 0; round < kills; round++) {
            // like a scheduler: run until the job exists (a kill may come before its snapshot commits), then resume
            String[] args = statuses(db).isEmpty() ? new String[] {"run", jobFile.toString(), "--db", db} : new String[] {"resume", "test-job", "--db", db};
            Process p = start(env, args);
            int already = total(receivedByKey.get());
            // about evenly over the job, so that most kills land while it is being sent
            int target = already + 1 + random.nextInt(Math.max(1, 2 * ROWS * perRow / kills));
            if (awaitReceived(p, receivedByKey, target)) {
                exits.add(p.exitValue());
            } else {
                // a few milliseconds more or less moves the kill around the message cycle
                Thread.sleep(random.nextInt(20));
                p.destroyForcibly().waitFor();
                killed++;
                Map<String, String> now = statuses(db);
                long done = now.values().stream().filter(v -> !v.equals("pending")).count();
                if (done > 0 && done < ROWS * perRow) killedMidJob++;
            }
        }
        System.out.println("CrashTest: " + killedMidJob + " kills landed mid-job; runs that finished: " + exits);
        Process last = statuses(db).isEmpty() ? start(env, "run", jobFile.toString(), "--db", db) : start(env, "resume", "test-job", "--db", db);
        assertTrue(last.waitFor(120, TimeUnit.SECONDS), "the final resume finishes");
        assertTrue(last.exitValue() == 0 || last.exitValue() == 1, "finished: exit " + last.exitValue() + "; the last run said:\n"
                + java.nio.file.Files.readString(dir.resolve("child.log")));

        Map<String, String> status = statuses(db);
        Map<String, Integer> received = receivedByKey.get();
        assertEquals(ROWS * perRow, status.size(), "every address of every row is recorded");
        int sent = 0;
        for (var e : status.entrySet()) {
            int got = received.getOrDefault(e.getKey(), 0);
            switch (e.getValue()) {
                case "sent" -> {
                    sent++;
                    assertEquals(1, got, e.getKey() + " is sent and was received exactly once");
                }
                case "unknown" -> {
                    assertTrue(got <= 1, e.getKey() + " is unknown and was received at most once, not " + got);
                    if (got == 0) unknownNeverReceived++;
                }
                default -> throw new AssertionError(e.getKey() + " ended " + e.getValue());
            }
        }
        assertEquals(sent, received.entrySet().stream().filter(e -> "sent".equals(status.get(e.getKey()))).count());
        assertTrue(received.keySet().stream().allMatch(status::containsKey), "the server got nothing the job doesn't know");
        long unknown = status.values().stream().filter("unknown"::equals).count();
        // a message is in doubt only from its final "." to its reply: one per session at a time
        assertTrue(unknown <= (long) killed * sessions * perRow, "at most one message per session per kill is unknown: " + unknown
                + " unknown address(es) after " + killed + " kills, " + sessions + " session(s), " + perRow + " address(es) a message");
        assertTrue(killedMidJob >= kills / 2, "most kills must land while the job is being sent, not before or after: " + killedMidJob);
        System.out.println("CrashTest: " + unknownNeverReceived + " unknown never received; statuses " + status.values().stream().collect(java.util.stream.Collectors.groupingBy(v -> v,
                java.util.stream.Collectors.counting())));
        return received;
    }

    /**
     * Waits until the server has {@code target} messages (then the child is killed right away: somewhere in
     * the middle of a message, between messages, or between the final "." and its reply) or the child exits.
     * Returns true when it exited by itself.
     */
    private static boolean awaitReceived(Process p, Supplier<Map<String, Integer>> received, int target) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) return true;
            if (total(received.get()) >= target) return false;
            Thread.sleep(1);
        }
        throw new AssertionError("the child neither progressed nor exited within 60 s");
    }

    private static int total(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    private Process start(Map<String, String> env, String... args) throws Exception {
        return Child.start(dir.resolve("child.log"), env, args);
    }

    private Map<String, String> statuses(String db) throws Exception {
        Map<String, String> out = new HashMap<>();
        if (!java.nio.file.Files.exists(dir.resolve("db.mv.db"))) return out;
        // read it as mailroom opens it: an opener with other H2 settings would compact what the next kill interrupts
        try (Connection c = DriverManager.getConnection(io.mailroom.store.Store.killSafe(db), "", ""); ResultSet rs = c.createStatement().executeQuery("SELECT address, status FROM addresses")) {
            while (rs.next()) out.put(rs.getString(1), rs.getString(2));
        } catch (java.sql.SQLException killedBeforeTheSchemaWasMade) {
            System.out.println("CrashTest: no statuses yet: " + killedBeforeTheSchemaWasMade);
            return out;
        }
        return out;
    }
}
