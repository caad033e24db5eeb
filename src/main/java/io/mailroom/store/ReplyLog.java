package io.mailroom.store;

import io.mailroom.smtp.Exchange;
import io.mailroom.smtp.SmtpReply;
import io.mailroom.smtp.Step;
import java.util.ArrayList;
import java.util.List;

/**
 * An attempt's replies as its row's {@code replies} column holds them (migration V9): one line per reply,
 * in order, that a person reading the table can follow:
 * <pre>
 * MAIL &lt;team@example.com&gt; 250 2.1.0 Ok
 * RCPT &lt;a@example.com&gt; 550 5.1.1 no such user
 * DATA - 354 - End data with &lt;CR&gt;&lt;LF&gt;.&lt;CR&gt;&lt;LF&gt;
 * </pre>
 * That is the step, the argument in angle brackets ({@code -} for none), the code, the enhanced code
 * ({@code -} for none) and the reply's text to the end of the line, its lines joined by an escaped newline.
 * A backslash escapes: {@code \n}, {@code \r}, {@code \t} are those characters, a backslash before any other
 * character is that character; so a line feed never appears inside a line, a {@code >} inside an argument
 * and a space or {@code -} inside an enhanced code are escaped. Decoding is strict: anything else is a bug or
 * damage, and throws {@link IllegalArgumentException}.
 * <p>
 * Each text is clipped as every stored server text is ({@link Sql#clip}); otherwise the round trip is
 * exact, except that the text is split into lines at its line feeds (as from the flight journal): a reply
 * with no lines comes back with one empty line, a line holding a line feed as two ({@code ReplyReader} makes
 * neither).
 * The column holds {@link #MAX_CHARS}: replies past it (thousands of recipients) are left out, and a last
 * line {@code ... N more not stored} says how many ({@link #omitted}), so the attempt is still recorded.
 */
public record ReplyLog(List<Exchange> exchanges, int omitted) {
    /** The size of the column. */
    static final int MAX_CHARS = 1_000_000;
    private static final String OMITTED = "... ";
    private static final String OMITTED_END = " more not stored";

    public ReplyLog {
        exchanges = List.copyOf(exchanges);
    }

    /** The column's value for these replies; the empty string for none. */
    public static String encode(List<Exchange> exchanges) {
        StringBuilder out = new StringBuilder(64 * exchanges.size());
        // room for the last line, so whatever the left-out count it stays within the column
        int budget = MAX_CHARS - OMITTED.length() - OMITTED_END.length() - 12;
        for (int i = 0; i < exchanges.size(); i++) {
            int start = out.length();
            if (i > 0) out.append('\n');
            line(out, exchanges.get(i));
            if (out.length() > budget && (out.length() > MAX_CHARS || i < exchanges.size() - 1)) {
                out.setLength(start);
                return out.append(start > 0 ? "\n" : "").append(OMITTED).append(exchanges.size() - i).append(OMITTED_END).toString();
            }
        }
        return out.toString();
    }

    /**
     * What {@link #encode} wrote; null (an attempt stored before V9, whose replies are in attempt_replies) is
     * refused. The format's other half, kept beside it so the two cannot drift: the product writes replies and
     * reports only the verdicts, but whoever reads the column (the tests, a person) reads it through this.
     */
    public static ReplyLog decode(String column) {
        if (column == null) throw new IllegalArgumentException("no replies column: the attempt's replies are in attempt_replies");
        List<Exchange> out = new ArrayList<>();
        if (column.isEmpty()) return new ReplyLog(out, 0);
        String[] lines = column.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (i == lines.length - 1 && line.startsWith(OMITTED) && line.endsWith(OMITTED_END)) {
                return new ReplyLog(out, Integer.parseInt(line.substring(OMITTED.length(), line.length() - OMITTED_END.length())));
            }
            out.add(new Reader(line).exchange());
        }
        return new ReplyLog(out, 0);
    }

    private static void line(StringBuilder out, Exchange e) {
        SmtpReply r = e.reply();
        out.append(e.step().name()).append(' ');
        if (e.argument() == null) out.append('-');
        else escape(out.append('<'), e.argument(), ">").append('>');
        out.append(' ').append(r.code()).append(' ');
        if (r.enhanced() == null) out.append('-');
        else escape(out, r.enhanced(), " -");
        escape(out.append(' '), Sql.clip(r.text()), "");
    }

    private static StringBuilder escape(StringBuilder out, String s, String special) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> (special.indexOf(c) >= 0 ? out.append('\\') : out).append(c);
            }
        }
        return out;
    }

    /** One line, read left to right. */
    private static final class Reader {
        private final String line;
        private int pos;

        Reader(String line) { this.line = line; }

        Exchange exchange() {
            Step step = step(until(' ', false));
            expect(' ');
            String argument = at('-') ? skip(null) : bracketed();
            expect(' ');
            int code = code(until(' ', false));
            expect(' ');
            String enhanced = at('-') ? skip(null) : until(' ', true);
            expect(' ');
            String text = until('\n', true);
            try {
                return new Exchange(step, argument, new SmtpReply(code, enhanced, List.of(text.split("\n", -1))));
            } catch (IllegalArgumentException e) {
                throw damaged(e.getMessage());
            }
        }

        private String bracketed() {
            expect('<');
            String argument = until('>', true);
            expect('>');
            return argument;
        }

        /** The characters up to {@code end} (not taken) or the end of the line, unescaped if {@code escaped}. */
        private String until(char end, boolean escaped) {
            StringBuilder out = new StringBuilder();
            while (pos < line.length() && line.charAt(pos) != end) {
                char c = line.charAt(pos++);
                if (c != '\\' || !escaped) {
                    out.append(c);
                    continue;
                }
                if (pos == line.length()) throw damaged("a backslash ends it");
                char next = line.charAt(pos++);
                out.append(next == 'n' ? '\n' : next == 'r' ? '\r' : next == 't' ? '\t' : next);
            }
            return out.toString();
        }

        private boolean at(char c) {
            return pos < line.length() && line.charAt(pos) == c;
        }

        private String skip(String value) {
            pos++;
            return value;
        }

        private void expect(char c) {
            if (!at(c)) throw damaged("expected '" + c + "' at " + pos);
            pos++;
        }

        private Step step(String name) {
            try {
                return Step.valueOf(name);
            } catch (IllegalArgumentException e) {
                throw damaged("no such step");
            }
        }

        private int code(String digits) {
            if (digits.length() != 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) throw damaged("no reply code");
            return Integer.parseInt(digits);
        }

        private IllegalArgumentException damaged(String why) {
            return new IllegalArgumentException("not a stored reply (" + why + "): \"" + (line.length() <= 200 ? line : line.substring(0, 200) + "...")
                    + "\"");
        }
    }
}
