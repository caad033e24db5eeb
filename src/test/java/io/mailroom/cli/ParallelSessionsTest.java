package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.send.Pause;
import io.mailroom.smtp.Exchange;
import io.mailroom.testing.GreenMailServer;
import io.mailroom.testing.JobDir;
import io.mailroom.testing.MutableClock;
import io.mailroom.testing.RecordingProxy;
import io.mailroom.testing.ScriptedSmtpServer;
import io.mailroom.testing.StoredReplies;
import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** smtp.connections: several sessions at once, proven from what the servers saw and what the database recorded. */
class ParallelSessionsTest {
    private static final Map<String, String> ENV = Map.of("MAILROOM_SMTP_PASSWORD", GreenMailServer.PASSWORD);

    @TempDir
    Path dir;

    private String db() {
        return "jdbc:h2:" + dir.resolve("db").toAbsolutePath();
    }

    private JobDir job(int port, int rows, int connections) throws Exception {
        return new JobDir(dir.resolve("job")).numberedRecipients(rows).smtp("127.0.0.1", port, "none").set("smtp.connections", String.valueOf(connections));
    }

    @Test
    void threeSessionsAreEachAuthenticatedOnceResetBetweenMessagesAndShareTheRowsWithoutDuplicates() throws Exception {
        try (GreenMailServer server = new GreenMailServer(); RecordingProxy proxy = new RecordingProxy(server.smtpPort()).holdFirstMailUntil(3)) {
            Path job = job(proxy.port(), 60, 3).set("smtp.username", GreenMailServer.USER).set("smtp.password.env", "MAILROOM_SMTP_PASSWORD")
                    .set("smtp.allow-plaintext-auth", "true").write();

            Cli.Result run = Cli.run(ENV, Cli.withDb(db(), "run", job.toString()));

            assertEquals(0, run.exit(), run.all());
            assertEquals(3, proxy.connections());
            List<Integer> messagesPerConnection = new ArrayList<>();
            for (List<String> lines : proxy.clientLinesByConnection()) {
                List<String> verbs = lines.stream().filter(l -> l.matches("^(EHLO|HELO|AUTH|MAIL|RCPT|DATA|RSET|QUIT).*")).map(l -> l.split("[ :]")[0]).toList();
                int messages = Collections.frequency(verbs, "MAIL");
                List<String> expected = new ArrayList<>(List.of("EHLO", "AUTH"));
                for (int i = 0; i < messages; i++) {
                    if (i > 0) expected.add("RSET");
                    expected.addAll(List.of("MAIL", "RCPT", "DATA"));
                }
                expected.add("QUIT");
                assertEquals(expected, verbs, "one EHLO, one AUTH, then messages with RSET between them, then QUIT");
                assertTrue(messages > 0, "every session carries messages: " + verbs);
                messagesPerConnection.add(messages);
            }
            assertEquals(60, messagesPerConnection.stream().mapToInt(Integer::intValue).sum());

            Map<String, Long> received = server.received().stream().collect(Collectors.groupingBy(ParallelSessionsTest::to, TreeMap::new, Collectors.counting()));
            assertEquals(IntStream.rangeClosed(1, 60).mapToObj(i -> "user" + i + "@example.com").collect(Collectors.toMap(Function.identity(), a -> 1L)),
                    received, "every row received exactly once");

            Map<String, Long> attemptsPerSession = countBy("SELECT connection_id FROM attempts");
            assertEquals(3, attemptsPerSession.size(), "three sessions recorded: " + attemptsPerSession);
            long run1 = scalar("SELECT MAX(id) FROM runs");
            assertEquals(java.util.Set.of(run1 + ".1", run1 + ".2", run1 + ".3"), attemptsPerSession.keySet(), "session ids are <run>.<n>");
            assertEquals(messagesPerConnection.stream().map(Integer::longValue).sorted().toList(), attemptsPerSession.values().stream().sorted().toList(), "each session's attempts are what its connection carried");
        }
    }

    @Test
    void twoMessagesDueOpenOneConnectionHoweverManyAreAllowed() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().pipelining(true); RecordingProxy proxy = new RecordingProxy(server.port())) {
            Cli.Result run = Cli.run(Map.of(), Cli.withDb(db(), "run", job(proxy.port(), 2, 4).write().toString()));

            assertEquals(0, run.exit(), run.all());
            assertEquals(2, server.received().size());
            assertEquals(1, proxy.connections(), "one pipelined session holds both; three more would connect only to say QUIT");
        }
    }

    @Test
    void rateLimitHoldsAcrossAllSessionsTogether() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
        List<Duration> pauses = Collections.synchronizedList(new ArrayList<>());
        Pause pause = d -> {
            pauses.add(d);
            clock.advance(d);
        };
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().pipelining(true)) {
            Path job = job(server.port(), 12, 3).set("rate", "2/second").write();

            Cli.Result run = Cli.run(Map.of(), clock, pause, Cli.withDb(db(), "run", job.toString()));

            assertEquals(0, run.exit(), run.all());
            assertEquals(12, server.received().size());
            Instant t = Instant.parse("2026-11-22T10:00:00Z");
            Map<Instant, Long> startsPerSecond = new TreeMap<>();
            for (Instant start : instants("SELECT started_at FROM attempts")) startsPerSecond.merge(start, 1L, Long::sum);
            Map<Instant, Long> twoEachSecond = new TreeMap<>();
            for (int s = 0; s < 6; s++) twoEachSecond.put(t.plusMillis(1050L * s), 2L);
            assertEquals(twoEachSecond, startsPerSecond, "two a second (and a twentieth to spare), however many sessions, and no second lost");
            assertEquals(Duration.ofMillis(5 * 1050), pauses.stream().reduce(Duration.ZERO, Duration::plus), "waited " + pauses);
        }
    }

    @Test
    void messageLimitHoldsAcrossAllSessionsTogether() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().pipelining(true)) {
            Cli.Result run = Cli.run(Map.of(), Cli.withDb(db(), "run", job(server.port(), 20, 3).write().toString(), "--limit", "5"));

            assertEquals(75, run.exit(), run.all());
            assertEquals(5, server.received().size());
            assertEquals(Map.of("sent", 5L, "pending", 15L), countBy("SELECT status FROM addresses"));
            assertEquals(5, scalar("SELECT COUNT(*) FROM attempts"));
        }
    }

    @Test
    void sessionDroppedAfterTheFinalDotLeavesThatMessageUnknownWhileTheOthersCarryOn() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().pipelining(true).fault(10, ScriptedSmtpServer.Fault.DROP_AFTER_DOT)) {
            Cli.Result run = Cli.run(Map.of(), Cli.withDb(db(), "run", job(server.port(), 30, 3).write().toString()));

            assertEquals(1, run.exit(), run.all());
            assertEquals(everyRowOnce(30), receivedByAddress(server), "nothing received twice, nothing lost");
            Map<String, Long> statuses = countBy("SELECT status FROM addresses");
            assertEquals(Map.of("sent", 29L, "unknown", 1L), statuses);
            assertEquals(Map.of("sent", 29L, "unknown", 1L), countBy("SELECT status FROM recipients"));
            // the unknown one had its content accepted (354) and its dot unanswered; a message whose envelope went out with that dot
            // was never on its way: deferred, given back, then sent on another session
            List<List<Exchange>> unknown;
            try (Connection c = connect()) {
                unknown = List.copyOf(StoredReplies.of(c, "a.status = 'unknown'").values());
            }
            assertEquals(List.of("DATA 354"), unknown.stream().map(x -> x.get(x.size() - 1)).map(e -> e.step() + " " + e.reply().code()).toList());
            Map<String, Long> attempts = countBy("SELECT status FROM attempts");
            assertEquals(29L, attempts.get("sent"));
            assertEquals(1L, attempts.get("unknown"));
            assertTrue(attempts.getOrDefault("deferred", 0L) <= 1 && attempts.size() <= 3, "nothing but the in-doubt message and one given back: " + attempts);
            // a lane opens a session only if something is still due when it asks, which the others may have taken all of
            assertTrue(server.connections() <= 4, "the dropped session was replaced at most once, the others never reopened: "
                    + server.connections() + " connections");
            assertTrue(countBy("SELECT connection_id FROM attempts").size() <= server.connections());
            assertTrue(run.out().contains("sent 29") && run.out().contains("unknown 1"), run.out());
        }
    }

    @Test
    void sessionDroppedAtDataIsReplacedAndItsMessageSentInTheSameRun() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().fault(7, ScriptedSmtpServer.Fault.DROP_AT_DATA)) {
            Cli.Result run = Cli.run(Map.of(), Cli.withDb(db(), "run", job(server.port(), 30, 3).write().toString()));

            assertEquals(0, run.exit(), run.all());
            assertEquals(everyRowOnce(30), receivedByAddress(server));
            assertEquals(Map.of("sent", 30L), countBy("SELECT status FROM addresses"));
            assertEquals(Map.of("sent", 30L, "deferred", 1L), countBy("SELECT status FROM attempts"), "one attempt lost its session before the dot");
            assertTrue(server.connections() <= 4, "the dropped session was replaced at most once, the others never reopened: "
                    + server.connections() + " connections");
        }
    }

    private static Map<String, Long> everyRowOnce(int rows) {
        return IntStream.rangeClosed(1, rows).mapToObj(i -> "user" + i + "@example.com").collect(Collectors.toMap(Function.identity(), a -> 1L, (a, b) -> a, TreeMap::new));
    }

    private static Map<String, Long> receivedByAddress(ScriptedSmtpServer server) {
        return server.received().stream().flatMap(r -> r.recipients().stream()).collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
    }

    private static String to(MimeMessage m) {
        try {
            return ((InternetAddress) m.getRecipients(Message.RecipientType.TO)[0]).getAddress();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Connection connect() throws Exception {
        return DriverManager.getConnection(io.mailroom.store.Store.killSafe(db()), "", "");
    }

    private long scalar(String sql) throws Exception {
        try (Connection c = connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getLong(1);
        }
    }

    private List<String> strings(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    private List<Instant> instants(String sql) throws Exception {
        List<Instant> out = new ArrayList<>();
        try (Connection c = connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            while (rs.next()) out.add(rs.getTimestamp(1).toInstant());
        }
        return out;
    }

    /** How many rows the query returns for each value of its one column. */
    private Map<String, Long> countBy(String sql) throws Exception {
        return strings(sql).stream().collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
    }
}
