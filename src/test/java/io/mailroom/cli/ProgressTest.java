package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.job.Plan;
import io.mailroom.store.RecipientStatus;
import io.mailroom.testing.Child;
import io.mailroom.testing.JobDir;
import io.mailroom.testing.MutableClock;
import io.mailroom.testing.ScriptedSmtpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run's progress: a redrawn line on a terminal, plain lines off one; and the plan's line before the summary. */
class ProgressTest {
    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @Test
    void offATerminalAPlainLineComesEveryIntervalAndOneAtTheEnd() {
        ProgressDisplay progress = new ProgressDisplay(StatusLine.NONE, out, err, clock, Duration.ofSeconds(30), Integer.MAX_VALUE, false);
        progress.due(10);
        progress.started("news", true);
        for (int i = 0; i < 3; i++) progress.settled(101, RecipientStatus.SENT);
        progress.settled(102, RecipientStatus.DEFERRED);
        clock.advance(Duration.ofSeconds(29));
        progress.tick(clock.instant());
        assertEquals("", err());

        clock.advance(Duration.ofSeconds(1));
        progress.tick(clock.instant());
        assertEquals("news: 4/10 message(s) (40%): deferred 1, sent 3; 0.1/s; about 45s left (still reading the CSV)\n", err());

        progress.planned("news", new Plan(10, 10, 0, 0, 0));
        for (int i = 0; i < 6; i++) progress.settled(103, RecipientStatus.SENT);
        clock.advance(Duration.ofSeconds(10));
        progress.tick(clock.instant());
        progress.close();
        assertEquals("news: 10 row(s) read, 10 new\n", outBytes.toString(StandardCharsets.UTF_8));
        assertEquals("news: 4/10 message(s) (40%): deferred 1, sent 3; 0.1/s; about 45s left (still reading the CSV)\n"
                + "news: 10/10 message(s) (100%): deferred 1, sent 9; 0.3/s; took 40s\n", err());
    }

    @Test
    void aZeroIntervalPrintsOnlyTheLastLineAndALimitCapsTheTotal() {
        ProgressDisplay progress = new ProgressDisplay(StatusLine.NONE, out, err, clock, Duration.ZERO, 2, false);
        progress.due(10);
        progress.started("news", false);
        progress.settled(104, RecipientStatus.FAILED);
        clock.advance(Duration.ofMinutes(5));
        progress.tick(clock.instant());
        assertEquals("", err());
        progress.settled(105, RecipientStatus.SENT);
        progress.close();
        assertEquals("news: 2/2 message(s) (100%): sent 1, failed 1; 0.0/s; took 5m00s\n", err());
    }

    @Test
    void aRowDeferredAndTriedAgainInTheSameRunCountsOnceAsItStandsNow() {
        ProgressDisplay progress = new ProgressDisplay(StatusLine.NONE, out, err, clock, Duration.ZERO, Integer.MAX_VALUE, false);
        progress.due(2);
        progress.started("news", false);
        progress.settled(7, RecipientStatus.DEFERRED);
        progress.settled(8, RecipientStatus.PARTIAL);
        assertTrue(progress.describe(clock.instant(), false).startsWith("news: 2/2 message(s) (100%): deferred 1, partial 1"));
        progress.settled(7, RecipientStatus.SENT);
        assertTrue(progress.describe(clock.instant(), false).startsWith("news: 2/2 message(s) (100%): sent 1, partial 1"),
                progress.describe(clock.instant(), false));
    }

    @Test
    void aRunThatWaitsSaysWhatForAndUntilWhen() {
        ProgressDisplay progress = new ProgressDisplay(StatusLine.NONE, out, err, clock, Duration.ZERO, Integer.MAX_VALUE, false);
        progress.due(5);
        progress.started("news", false);
        progress.settled(1, RecipientStatus.SENT);
        progress.waiting("for the rate limit (2/minute) until 2026-12-02T10:01:00Z");
        assertTrue(progress.describe(clock.instant(), false).endsWith("; waiting for the rate limit (2/minute) until 2026-12-02T10:01:00Z"),
                progress.describe(clock.instant(), false));
        progress.waiting(null);
        assertTrue(!progress.describe(clock.instant(), false).contains("waiting"));
    }

    @Test
    void onATerminalTheLineIsRedrawnInPlaceAndWipedBeforeOtherText() throws Exception {
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        StatusLine line = StatusLine.terminal(new PrintStream(screen, true, StandardCharsets.UTF_8), 40);
        PrintStream other = new PrintStream(line.guard(screen), true, StandardCharsets.UTF_8);
        ProgressDisplay progress = new ProgressDisplay(line, out, err, clock, Duration.ofSeconds(30), Integer.MAX_VALUE, false);
        progress.due(3);
        progress.started("news", false);
        progress.tick(clock.instant());
        progress.settled(106, RecipientStatus.SENT);
        clock.advance(Duration.ofSeconds(1));
        progress.tick(clock.instant());
        other.print("news: row 3: bad ");
        progress.tick(clock.instant()); // not drawn in the middle of another line
        other.println("address");
        progress.tick(clock.instant());
        progress.close();
        other.println("summary");

        assertEquals("\rnews: 0/3 message(s) (0%)\033[K"
                + "\rnews: 1/3 message(s) (33%): sent 1; 1.0\033[K" // cut to the terminal's 40 columns, less one
                + "\r\033[Knews: row 3: bad address\n"
                + "\rnews: 1/3 message(s) (33%): sent 1; 1.0\033[K"
                + "\rnews: 1/3 message(s) (33%): sent 1; 1.0\033[K\n"
                + "summary\n", screen.toString(StandardCharsets.UTF_8));
        assertEquals("", err(), "nothing plain on a terminal");
    }

    @Test
    void aRunOnAPseudoTerminalRedrawsItsLineAndOnAPipePrintsPlainLines() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().holdGreetings()) {
            Path job = new JobDir(dir.resolve("job")).numberedRecipients(20).smtp("127.0.0.1", server.port(), "none").write();
            Path log = dir.resolve("terminal.log");
            Process run = Child.startOnTerminal(log, Map.of("COLUMNS", "120"), "run", job.toString(), "--db", "jdbc:h2:" + dir.resolve("db").toAbsolutePath());
            // the line is drawn while the run waits for the server's greeting
            awaitTrue("the progress line is drawn, or the run ends",
                    () -> Child.output(log).contains("test-job: 0/20 message(s) (0%)") || !run.isAlive());
            server.releaseGreetings();
            assertTrue(run.waitFor(60, TimeUnit.SECONDS));
            String screen = Child.output(log);
            assertEquals(0, run.exitValue(), screen);
            assertTrue(screen.contains("\rtest-job: 0/20 message(s) (0%)\033[K"), screen);
            assertTrue(screen.matches("(?s).*\rtest-job: 20/20 message\\(s\\) \\(100%\\): sent 20; [0-9.]+/s; took \\d+s\033\\[K\r?\n"
                    + "test-job: 20 message\\(s\\) tried over 1 SMTP session\\(s\\)\r?\n.*"), screen);
            assertTrue(screen.indexOf("20 row(s) read, 20 new") < screen.indexOf("tried over"), screen);

            Path piped = dir.resolve("pipe.log");
            Path more = new JobDir(dir.resolve("more")).set("name", "more").numberedRecipients(5).smtp("127.0.0.1", server.port(), "none").write();
            Process second = Child.start(piped, Map.of(), "run", more.toString(), "--db", "jdbc:h2:" + dir.resolve("db").toAbsolutePath());
            assertTrue(second.waitFor(60, TimeUnit.SECONDS));
            String said = Child.output(piped);
            assertEquals(0, second.exitValue(), said);
            assertFalse(said.contains("\r") || said.contains("\033"), said);
            assertTrue(said.matches("(?s).*more: 5/5 message\\(s\\) \\(100%\\): sent 5; [0-9.]+/s; took \\d+s\n.*"), said);
        }
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    private static void awaitTrue(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!check.holds()) {
            assertTrue(System.nanoTime() < deadline, "not within 30 s: " + what);
            Thread.sleep(10);
        }
    }

    private interface Check {
        boolean holds() throws Exception;
    }
}
