package io.mailroom.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict reader of the JSON (RFC 8259) the tests check, so a report that is not valid JSON fails them:
 * objects become LinkedHashMaps (keeping the order of their names), arrays Lists, integers Longs (all the reports
 * write), numbers with a fraction or exponent Doubles (the DevTools protocol's times), and true, false, null themselves. Anything else, a duplicate name or trailing text
 * throws IllegalArgumentException naming the offset.
 */
public final class Json {
    private final String s;
    private int i;

    private Json(String s) {
        this.s = s;
    }

    public static Object parse(String text) {
        Json p = new Json(text);
        Object value = p.value();
        p.space();
        if (p.i != text.length()) throw p.error("trailing text");
        return value;
    }

    private Object value() {
        space();
        if (i >= s.length()) throw error("end of input");
        char c = s.charAt(i);
        if (c == '{') return object();
        if (c == '[') return array();
        if (c == '"') return string();
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        for (Object literal : new Object[] {true, false, null}) {
            String word = String.valueOf(literal);
            if (s.startsWith(word, i)) {
                i += word.length();
                return literal;
            }
        }
        throw error("unexpected " + c);
    }

    private Map<String, Object> object() {
        Map<String, Object> out = new LinkedHashMap<>();
        expect('{');
        if (next('}')) return out;
        do {
            space();
            String name = string();
            expect(':');
            if (out.containsKey(name)) throw error("duplicate name " + name);
            out.put(name, value());
        } while (next(','));
        expect('}');
        return out;
    }

    private List<Object> array() {
        List<Object> out = new ArrayList<>();
        expect('[');
        if (next(']')) return out;
        do out.add(value()); while (next(','));
        expect(']');
        return out;
    }

    private String string() {
        if (i >= s.length() || s.charAt(i) != '"') throw error("string expected");
        StringBuilder sb = new StringBuilder();
        for (i++; ; i++) {
            if (i >= s.length()) throw error("unterminated string");
            char c = s.charAt(i);
            if (c == '"') break;
            if (c < 0x20) throw error("raw control character in string");
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    sb.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
        i++;
        return sb.toString();
    }

    private Object number() {
        int start = i;
        if (s.charAt(i) == '-') i++;
        String digits = digits();
        if (digits.isEmpty() || (digits.length() > 1 && digits.charAt(0) == '0')) throw error("bad number");
        boolean integer = true;
        if (i < s.length() && s.charAt(i) == '.') {
            i++;
            if (digits().isEmpty()) throw error("bad fraction");
            integer = false;
        }
        if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
            if (digits().isEmpty()) throw error("bad exponent");
            integer = false;
        }
        return integer ? (Object) Long.parseLong(s.substring(start, i)) : (Object) Double.parseDouble(s.substring(start, i));
    }

    private String digits() {
        int start = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
        return s.substring(start, i);
    }

    private char peek() {
        space();
        return i < s.length() ? s.charAt(i) : 0;
    }

    private boolean next(char c) {
        if (peek() != c) return false;
        i++;
        return true;
    }

    private void expect(char c) {
        if (!next(c)) throw error(c + " expected");
    }

    private void space() {
        while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) i++;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException(what + " at offset " + i + ": " + s.substring(i, Math.min(s.length(), i + 40)));
    }
}
