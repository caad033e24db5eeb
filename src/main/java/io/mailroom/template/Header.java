package io.mailroom.template;

/**
 * One rendered header line of the template's header block, unfolded and trimmed. In {@code raw} the
 * commas and double quotes that came from CSV data are replaced by private-use marks, so data can never
 * split an address list or open a quoted string; {@link #value()} is the text as the reader sees it.
 */
public record Header(String name, String raw) {
    static final char DATA_COMMA = '\uE000';
    static final char DATA_QUOTE = '\uE001';

    public String value() { return restore(raw); }

    /** Puts back the characters {@link #protect} marked. */
    public static String restore(String s) {
        return s.replace(DATA_COMMA, ',').replace(DATA_QUOTE, '"');
    }

    /** True when {@code s} holds a character that came from data and would have been structure. */
    public static boolean hasDataMarks(String s) {
        return s.indexOf(DATA_COMMA) >= 0 || s.indexOf(DATA_QUOTE) >= 0;
    }

    static String protect(String data) {
        return data.replace(',', DATA_COMMA).replace('"', DATA_QUOTE);
    }
}
