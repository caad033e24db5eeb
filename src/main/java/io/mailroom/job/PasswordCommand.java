package io.mailroom.job;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * smtp.password.command: a token helper (or password manager) run through {@code /bin/sh -c} in the job's
 * folder, with standard input closed, whose standard output is the secret (one line; its newline dropped).
 * Run once for every session that is about to open, so each gets a fresh access token. A command that fails,
 * prints nothing or outlasts {@code timeout} is a {@link JobFileException} (exit 78, as an unset password
 * variable) naming its exit status and the first lines of its standard error, from which whatever it printed
 * on standard output is cut: the secret is never in a message. A helper that hangs is killed with its children.
 */
record PasswordCommand(String command, Path folder, Duration timeout) {
    /** Without smtp.timeout, a helper may take this long (it may refresh the token over the network first). */
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(1);
    /** More output than any token or password: a helper printing more has gone wrong. */
    private static final int MOST_OCTETS = 64 * 1024;
    private static final int STDERR_LINES = 3;

    String run() throws JobFileException {
        if (!Files.isDirectory(folder)) {
            throw new JobFileException(what() + " cannot run: its folder " + folder + " is not there (it is the folder of the job file last run)");
        }
        Process p;
        try {
            p = new ProcessBuilder("/bin/sh", "-c", command).directory(folder.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            throw new JobFileException(what() + " cannot be started: " + e.getMessage());
        }
        Drain out = Drain.of(p.getInputStream(), "stdout");
        Drain err = Drain.of(p.getErrorStream(), "stderr");
        try {
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) && out.await(timeout) && err.await(Duration.ofSeconds(1));
            if (!done) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                // stopped, its pipes close: what it had said by then is read to the end
                err.await(Duration.ofSeconds(1));
                throw new JobFileException(what() + " did not finish within " + human(timeout) + " (smtp.timeout, else "
                        + human(DEFAULT_TIMEOUT) + ") and was stopped" + said(err.text(), out.text()));
            }
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new JobFileException(what() + " was interrupted");
        }
        String secret = out.text();
        if (p.exitValue() != 0) throw new JobFileException(what() + " failed with exit status " + p.exitValue() + said(err.text(), secret));
        if (out.overflowed()) throw new JobFileException(what() + " printed more than " + MOST_OCTETS / 1024 + " KB; it must print only the token or password");
        secret = secret.endsWith("\r\n") ? secret.substring(0, secret.length() - 2) : secret.endsWith("\n") ? secret.substring(0, secret.length() - 1) : secret;
        if (secret.isEmpty()) {
            throw new JobFileException(what() + " printed nothing; it must print the access token (or password) on standard output" + said(err.text(), ""));
        }
        if (secret.contains("\n") || secret.contains("\r")) {
            throw new JobFileException(what() + " printed more than one line; it must print only the token (or password), on one line");
        }
        return secret;
    }

    /** The command as the user wrote it, and where it ran: it is configuration, never the secret it prints. */
    private String what() {
        String shown = command.length() > 120 ? command.substring(0, 120) + "…" : command;
        return "smtp.password.command (\"" + shown + "\", run in " + folder + ")";
    }

    /** The first lines of the command's standard error, whatever it printed on standard output cut out of them. */
    private static String said(String stderr, String stdout) {
        String text = stderr;
        for (String line : stdout.split("\\R")) {
            if (line.strip().length() >= 4) text = text.replace(line.strip(), "****");
        }
        List<String> lines = text.lines().map(String::strip).filter(l -> !l.isEmpty()).limit(STDERR_LINES)
                .map(l -> l.length() > 200 ? l.substring(0, 200) + "…" : l).toList();
        return lines.isEmpty() ? " (it wrote nothing to standard error)" : "; its standard error: " + String.join(" / ", lines);
    }

    /** As the job file writes a duration: 500ms, 30s, 1m. */
    private static String human(Duration d) {
        long ms = d.toMillis();
        if (ms % 60_000 == 0) return ms / 60_000 + "m";
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    /** One of the command's output streams, read to its end on a thread of its own so neither pipe fills and stalls it. */
    private static final class Drain {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Thread thread;
        private volatile boolean overflowed;

        private Drain(InputStream in, String name) {
            thread = new Thread(() -> {
                try (in) {
                    byte[] buffer = new byte[8192];
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        synchronized (bytes) {
                            int room = MOST_OCTETS - bytes.size();
                            if (n > room) overflowed = true;
                            bytes.write(buffer, 0, Math.min(n, Math.max(room, 0)));
                        }
                    }
                } catch (IOException e) {
                    // the process was stopped, or its pipe broke: what was read is what there is
                }
            }, "mailroom-password-command-" + name);
            thread.setDaemon(true);
        }

        static Drain of(InputStream in, String name) {
            Drain d = new Drain(in, name);
            d.thread.start();
            return d;
        }

        /** True once the stream ended within {@code d} (a child the command left behind may hold it open). */
        boolean await(Duration d) throws InterruptedException {
            thread.join(Math.max(1, d.toMillis()));
            return !thread.isAlive();
        }

        boolean overflowed() { return overflowed; }

        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
