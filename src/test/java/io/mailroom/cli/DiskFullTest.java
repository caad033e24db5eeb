package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.store.Store;
import io.mailroom.testing.GreenMailServer;
import io.mailroom.testing.JobDir;
import io.mailroom.testing.ScriptedSmtpServer;
import io.mailroom.testing.SmallDisk;
import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk holding the database fills up while a job is being sent (a tmpfs that leaves the database a little
 * room once the job is planned: needs root). The run stops with one line naming the database and the failed
 * write, exit 75; a resume while the disk is still full says the same; once there is room, a resume finishes
 * the job, and every key has been received by the server exactly once, or is unknown (received at most once):
 * none lost, none sent twice, none recorded sent that the server does not have.
 */
class DiskFullTest {
    private static final int ROWS = 2000;
    /** Room beyond what the planned job takes: a few hundred messages' records (journal and database). */
    private static final long ROOM_KB = 256;
    private static final long ROOMY_KB = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void aDiskThatFillsUpMidJobStopsTheRunWith75AndAResumeWithRoomNeitherLosesNorRepeatsAKey() throws Exception {
        try (GreenMailServer server = new GreenMailServer()) {
            fillTheDiskMidJob(server.smtpPort(), () -> {
                Map<String, Integer> counts = new HashMap<>();
                for (var m : server.received()) {
                    try {
                        counts.merge(((InternetAddress) m.getRecipients(Message.RecipientType.TO)[0]).getAddress(), 1, Integer::sum);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
                return counts;
            }, true);
        }
    }

    /** With PIPELINING, the messages awaiting their replies when the write fails are in doubt too. */
    @Test
    void aDiskThatFillsUpMidJobOverAPipeliningServerNeitherLosesNorRepeatsAKey() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().pipelining(true)) {
            fillTheDiskMidJob(server.port(), () -> {
                Map<String, Integer> counts = new HashMap<>();
                server.received().forEach(r -> counts.merge(r.recipients().get(0), 1, Integer::sum));
                return counts;
            }, false);
        }
    }

    /** H2 makes the file, then cannot write its header: the empty file is not left behind to be taken for a damaged one. */
    @Test
    void aFirstRunOnAFullDiskStopsWith75AndRunsOnceThereIsRoom() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer();
             SmallDisk disk = SmallDisk.mount(dir.resolve("disk"), 1024)) {
            Path jobFile = new JobDir(dir.resolve("job")).numberedRecipients(3).smtp("127.0.0.1", server.port(), "none").write();
            String db = "jdbc:h2:" + disk.dir().resolve("jobs");
            Path filler = disk.dir().resolve("filler");
            try (var out = Files.newOutputStream(filler)) {
                out.write(new byte[1024 * 1024]);
            } catch (IOException full) {
                // as intended
            }

            assertWriteFailed(Cli.run("run", jobFile.toString(), "--db", db), disk.dir().resolve("jobs.mv.db").toString());
            assertFalse(Files.exists(disk.dir().resolve("jobs.mv.db")), "no empty database file is left behind");
            assertTrue(server.received().isEmpty());

            Files.delete(filler);
            Cli.Result run = Cli.run("run", jobFile.toString(), "--db", db);
            assertEquals(0, run.exit(), run.all());
            assertEquals(3, server.received().size());
        }
    }

    private void fillTheDiskMidJob(int port, Supplier<Map<String, Integer>> receivedByKey, boolean auth) throws Exception {
        JobDir job = new JobDir(dir.resolve("job")).numberedRecipients(ROWS).smtp("127.0.0.1", port, "none");
        if (auth) {
            job.set("smtp.username", GreenMailServer.USER).set("smtp.password.env", "MAILROOM_SMTP_PASSWORD").set("smtp.allow-plaintext-auth", "true");
        }
        Path jobFile = job.write();
        Map<String, String> env = Map.of("MAILROOM_SMTP_PASSWORD", GreenMailServer.PASSWORD);
        try (SmallDisk disk = SmallDisk.mount(dir.resolve("disk"), ROOMY_KB)) {
            String db = "jdbc:h2:" + disk.dir().resolve("jobs");
            String file = disk.dir().resolve("jobs.mv.db").toString();

            Cli.Result planned = Cli.run(env, "run", jobFile.toString(), "--db", db, "--limit", "5");
            assertEquals(75, planned.exit(), planned.all());
            disk.resize(disk.usedKilobytes() + ROOM_KB);

            Cli.Result full = Cli.run(env, "resume", "test-job", "--db", db);
            assertWriteFailed(full, file);
            int before = total(receivedByKey.get());
            assertTrue(before > 5 && before < ROWS, "the disk filled up while the job was being sent: " + before + " received");
            System.out.println("DiskFullTest: the disk filled up after " + before + " messages were received");

            // no room yet: the same line again, whatever the resume managed before its first write failed
            assertWriteFailed(Cli.run(env, "resume", "test-job", "--db", db), file);
            // status opens the database for writing too: it answers 75 (the job is unfinished) with its counts or the same line
            Cli.Result status = Cli.run(env, "status", "test-job", "--db", db);
            assertEquals(75, status.exit(), status.all());
            assertFalse(status.err().contains("please report"), status.err());

            disk.resize(ROOMY_KB);
            Cli.Result resumed = Cli.run(env, "resume", "test-job", "--db", db);
            assertTrue(resumed.exit() == 0 || resumed.exit() == 1, "finished: " + resumed.all());
            everyKeyReceivedOnceOrUnknown(statuses(db), receivedByKey.get());
        }
    }

    private static void assertWriteFailed(Cli.Result r, String file) {
        assertEquals(75, r.exit(), r.all());
        // whichever write comes first: the database's, or its flight journal's beside it
        String line = r.err().lines().filter(l -> l.startsWith("mailroom: writing ")).findFirst().orElse("");
        String journal = file.replace("jobs.mv.db", "jobs.test-job.flight");
        assertTrue((line.contains("writing to the database " + file + " failed (No space left on device)")
                || line.contains("writing the flight journal " + journal + " failed (No space left on device)")) && line.contains("Make room"), r.all());
        assertFalse(r.err().contains("please report") || r.err().contains("\tat "), r.err());
    }

    private static void everyKeyReceivedOnceOrUnknown(Map<String, String> status, Map<String, Integer> received) {
        assertEquals(ROWS, status.size(), "every row is a recipient");
        int unknown = 0;
        for (var e : status.entrySet()) {
            int got = received.getOrDefault(e.getKey(), 0);
            switch (e.getValue()) {
                case "sent" -> assertEquals(1, got, e.getKey() + " is sent and was received exactly once");
                case "unknown" -> {
                    unknown++;
                    assertTrue(got <= 1, e.getKey() + " is unknown and was received at most once, not " + got);
                }
                default -> throw new AssertionError(e.getKey() + " ended " + e.getValue());
            }
        }
        assertTrue(received.keySet().stream().allMatch(status::containsKey), "the server got nothing the job doesn't know");
        // each failed run leaves at most the batch in hand (8) and, pipelined, the two before it in doubt
        assertTrue(unknown <= 2 * 10, "unknown: " + unknown);
        System.out.println("DiskFullTest: " + unknown + " unknown, of which " + status.entrySet().stream()
                .filter(e -> e.getValue().equals("unknown") && received.getOrDefault(e.getKey(), 0) == 1).count() + " received");
    }

    private static int total(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static Map<String, String> statuses(String db) throws Exception {
        Map<String, String> out = new HashMap<>();
        try (Connection c = DriverManager.getConnection(Store.killSafe(db), "", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT rkey, status FROM recipients")) {
            while (rs.next()) out.put(rs.getString(1), rs.getString(2));
        }
        return out;
    }
}
