package io.mailroom.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * A tmpfs of a given size mounted on a folder, for tests that fill a disk: it can be grown or shrunk in place
 * (remount) and is unmounted on {@link #close()}. Mounting needs root; where it cannot be done, tests are
 * skipped with the reason, except under CI (CI=true), where that is a failure.
 */
public final class SmallDisk implements AutoCloseable {
    private final Path dir;

    private SmallDisk(Path dir) {
        this.dir = dir;
    }

    public static SmallDisk mount(Path dir, long kilobytes) throws IOException {
        Files.createDirectories(dir);
        String why = !"root".equals(System.getProperty("user.name")) ? "mounting a tmpfs needs root"
                : run("mount", "-t", "tmpfs", "-o", "size=" + kilobytes + "k", "tmpfs", dir.toString());
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) throw new IllegalStateException("CI must run the disk-full tests: " + why);
            Assumptions.abort("disk-full tests skipped: " + why);
        }
        return new SmallDisk(dir);
    }

    public Path dir() { return dir; }

    /** Kilobytes in use, as the file system counts them. */
    public long usedKilobytes() throws IOException {
        var store = Files.getFileStore(dir);
        return (store.getTotalSpace() - store.getUnallocatedSpace()) / 1024;
    }

    /** Changes the size in place; the files stay. */
    public void resize(long kilobytes) throws IOException {
        String failed = run("mount", "-o", "remount,size=" + kilobytes + "k", dir.toString());
        if (failed != null) throw new IOException(failed);
    }

    @Override
    public void close() throws IOException {
        String failed = run("umount", dir.toString());
        if (failed != null) throw new IOException(failed);
    }

    /** Runs a command; null when it succeeded, else what it said. */
    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 ? null : String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + output;
        } catch (IOException e) {
            return String.join(" ", command) + " could not run: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return String.join(" ", command) + " was interrupted";
        }
    }
}
