package io.mailroom.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The last line of the terminal standard error is on, which a run redraws with its progress. Whatever else is
 * printed to the terminal goes through {@link #guard}, which wipes the line first so text never lands in the middle
 * of it; the line comes back at the next redraw, once that text has ended its own line. Off a terminal there is
 * no such line ({@link #NONE}): progress is printed as plain lines instead.
 */
final class StatusLine {
    static final StatusLine NONE = new StatusLine(null, 0);

    private static final String WIPE = "\r\033[K";

    /** The raw terminal: what is drawn here is mailroom's own text, never data (job names are validated). */
    private final PrintStream terminal;
    private final int columns;
    private boolean shown;
    private boolean atLineStart = true;

    private StatusLine(PrintStream terminal, int columns) {
        this.terminal = terminal;
        this.columns = columns;
    }

    /** The line on {@code err}, when it is a terminal that can redraw a line (not TERM=dumb); else {@link #NONE}. */
    static StatusLine on(PrintStream err, Function<String, String> env) {
        if ("dumb".equals(env.apply("TERM")) || !isTerminal(2)) return NONE;
        return terminal(err, columns(env));
    }

    /** The line on a terminal of {@code columns} that {@code terminal} writes to. */
    static StatusLine terminal(PrintStream terminal, int columns) {
        return new StatusLine(terminal, columns);
    }

    /** Whether file descriptor {@code fd} of this process is a terminal: Linux names the device; elsewhere the JVM's console tells. */
    private static boolean isTerminal(int fd) {
        try {
            String device = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return device.startsWith("/dev/pts/") || device.matches("/dev/tty[A-Za-z0-9]*");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }

    /** The terminal's width: $COLUMNS, else what stty says of the controlling terminal, else 80. */
    private static int columns(Function<String, String> env) {
        String given = env.apply("COLUMNS");
        if (given != null && given.matches("\\d{2,4}")) return Integer.parseInt(given);
        try {
            Process stty = new ProcessBuilder("stty", "size").redirectInput(new java.io.File("/dev/tty")).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String[] size = new String(stty.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim().split(" ");
            if (stty.waitFor() == 0 && size.length == 2 && size[1].matches("\\d{2,4}")) return Integer.parseInt(size[1]);
        } catch (IOException e) {
            // no stty, or no controlling terminal
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 80;
    }

    boolean isTerminal() {
        return terminal != null;
    }

    /** {@code out} with the line wiped before anything else is written to the terminal. */
    OutputStream guard(OutputStream out) {
        if (terminal == null) return out;
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (len == 0) return;
                synchronized (StatusLine.this) {
                    wipe();
                    out.write(b, off, len);
                    out.flush();
                    atLineStart = b[off + len - 1] == '\n';
                }
            }
        };
    }

    /** Draws {@code text} as the line, cut to the terminal's width (a wrapped line could not be redrawn); not while other text is mid-line. */
    synchronized void draw(String text) {
        if (terminal == null || !atLineStart) return;
        String fitted = text.length() < columns ? text : text.substring(0, Math.max(0, columns - 1));
        terminal.print("\r" + fitted + "\033[K");
        terminal.flush();
        shown = true;
    }

    /** Leaves the line as last drawn, ended, so what comes next starts below it. */
    synchronized void keep() {
        if (terminal == null || !shown) return;
        terminal.print("\n");
        terminal.flush();
        shown = false;
    }

    private void wipe() {
        if (!shown) return;
        terminal.print(WIPE);
        terminal.flush();
        shown = false;
    }
}
