package io.mailroom.template;

import java.io.IOException;
import java.io.Writer;

/**
 * Rendered text in memory, refusing to grow past a limit: the writer throws {@link TooLong} instead. Text kept
 * elsewhere on the output's behalf (what a Markdown body's tokens stand for, {@link Interpolated}) is charged to it.
 */
final class BoundedOutput extends Writer {
    /** Thrown through FreeMarker, which passes a writer's IOException up unchanged. */
    static final class TooLong extends IOException {
        TooLong() { super("output limit reached"); }
    }

    private final StringBuilder text = new StringBuilder();
    private final long max;
    private long charged;

    BoundedOutput(long max) {
        this.max = max;
    }

    int length() { return text.length(); }

    /** Counts {@code chars} held outside this writer toward its limit. */
    void charge(long chars) throws TooLong {
        if (text.length() + charged + chars > max) throw new TooLong();
        charged += chars;
    }

    @Override
    public void write(char[] chars, int off, int len) throws TooLong {
        if (text.length() + charged + len > max) throw new TooLong();
        text.append(chars, off, len);
    }

    @Override
    public void write(String s, int off, int len) throws TooLong {
        if (text.length() + charged + len > max) throw new TooLong();
        text.append(s, off, off + len);
    }

    @Override
    public String toString() { return text.toString(); }

    @Override
    public void flush() { }

    @Override
    public void close() { }
}
