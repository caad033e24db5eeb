package io.mailroom.template;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The strings a Markdown body interpolates, each written into the rendered Markdown as a short token that
 * stands for it (two private-use characters around its number). CommonMark then parses the template's own
 * Markdown with data out of sight, and each token is put back as literal text where it landed (a paragraph's
 * text, a code span, a link's destination): a CSV value can never open an emphasis, a link or a heading,
 * nor hide raw HTML. Equal strings share one token. What the tokens stand for counts toward the row's output
 * limit, so a loop that interpolates a long value still stops at {@code message.max-size}.
 *
 * <p>In the header block a string is written as it is, between two marks: headers are no Markdown, but what
 * the header block writes can reach the body (captured by {@code <#assign x>…</#assign>} there and written
 * below), and there the marks make it a token too. The header block is read with the marks taken out.
 */
final class Interpolated {
    static final char OPEN = '\uE010';
    static final char CLOSE = '\uE011';
    static final char MARK = '\uE012';
    static final char MARK_END = '\uE013';

    private final List<String> values = new ArrayList<>();
    private final Map<String, Integer> numbers = new HashMap<>();
    private final BoundedOutput out;

    Interpolated(BoundedOutput out) {
        this.out = out;
    }

    /** The token for {@code value}, charged to the row's output limit the first time it is seen. */
    String token(String value) throws BoundedOutput.TooLong {
        Integer n = numbers.get(value);
        if (n == null) {
            out.charge(value.length());
            n = values.size();
            values.add(value);
            numbers.put(value, n);
        }
        return OPEN + Integer.toString(n) + CLOSE;
    }

    /** A string as the header block writes it: between marks, any mark of its own made U+FFFD so it can end no other. */
    static String marked(String value) {
        return MARK + value.replace(MARK, '\uFFFD').replace(MARK_END, '\uFFFD') + MARK_END;
    }

    static boolean isMark(char c) {
        return c == MARK || c == MARK_END;
    }

    /** {@code s} with each marked string a token instead (already counted: it was written). */
    String tokens(String s) {
        if (s.indexOf(MARK) < 0) return s;
        StringBuilder b = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            int open = s.indexOf(MARK, i);
            int close = open < 0 ? -1 : s.indexOf(MARK_END, open + 1);
            if (close < 0) break;
            String value = s.substring(open + 1, close);
            Integer n = numbers.get(value);
            if (n == null) {
                n = values.size();
                values.add(value);
                numbers.put(value, n);
            }
            b.append(s, i, open).append(OPEN).append(n).append(CLOSE);
            i = close + 1;
        }
        return b.append(s, i, s.length()).toString();
    }

    /** {@code s} with every token replaced by the string it stands for; anything that only looks like one stays as it is. */
    String restore(String s) {
        if (s == null) return null;
        if (s.indexOf(MARK) >= 0 || s.indexOf(MARK_END) >= 0) s = s.replace(String.valueOf(MARK), "").replace(String.valueOf(MARK_END), "");
        if (s.indexOf(OPEN) < 0) return s;
        StringBuilder b = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            int open = s.indexOf(OPEN, i);
            if (open < 0) break;
            int close = s.indexOf(CLOSE, open + 1);
            int n = close < 0 ? -1 : number(s, open + 1, close);
            if (n < 0) {
                b.append(s, i, open + 1);
                i = open + 1;
                continue;
            }
            b.append(s, i, open).append(values.get(n));
            i = close + 1;
        }
        return b.append(s, i, s.length()).toString();
    }

    private int number(String s, int from, int to) {
        if (to == from || to - from > 9) return -1;
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            n = n * 10 + (c - '0');
        }
        return n < values.size() ? n : -1;
    }
}
