package io.mailroom.template;

import freemarker.core.Environment;
import freemarker.template.SimpleHash;
import freemarker.template.SimpleObjectWrapper;
import freemarker.template.Configuration;
import freemarker.template.TemplateDirectiveBody;
import freemarker.template.TemplateDirectiveModel;
import freemarker.template.TemplateModel;
import freemarker.template.TemplateModelException;
import freemarker.template.TemplateScalarModel;
import java.util.Map;

/**
 * Per-render state: where the body starts in the output, and the header-injection guard. Each CSV value
 * is a scalar that refuses to be evaluated before the body starts if it contains a line break, so data can
 * never add a header line (the failure names the column); in the header block its commas and quotes are
 * marked (see {@link Header}) so data can never add an address either. Where in the header block each value
 * was read is kept, so a header line that fails can tell whether data played a part ({@link TemplateFault}).
 */
final class RenderState {
    static final String KEY = "io.mailroom.render";
    static final String DIRECTIVE = "mailroom_body_starts_here";

    private BoundedOutput out;
    private int bodyStart = -1;
    private String injection;
    /** The output's length each time a CSV value was read in the header block, in order. */
    private int[] readAt = new int[16];
    private int reads;
    /** What a Markdown body interpolated, once its first token is written. */
    private Interpolated interpolated;

    private static final SimpleObjectWrapper WRAPPER = new SimpleObjectWrapper(Configuration.VERSION_2_3_34);

    SimpleHash model(Map<String, String> fields) {
        SimpleHash model = new SimpleHash(WRAPPER);
        fields.forEach((column, value) -> model.put(column, new GuardedValue(column, value)));
        model.put(DIRECTIVE, (TemplateDirectiveModel) RenderState::bodyStarts);
        return model;
    }

    void attach(BoundedOutput writer) { out = writer; }

    void enterBody(int position) { bodyStart = position; }

    int bodyStart() { return bodyStart; }

    String injection() { return injection; }

    /**
     * How a Markdown template writes an interpolated string: marked in the header block (where it is a header's
     * text), as a token in the body ({@link Interpolated}).
     */
    String interpolate(String s) throws BoundedOutput.TooLong {
        return bodyStart < 0 ? Interpolated.marked(s) : interpolated().token(s);
    }

    private Interpolated interpolated() {
        if (interpolated == null) interpolated = new Interpolated(out);
        return interpolated;
    }

    /** A Markdown body as CommonMark is to parse it: every interpolated string a token. */
    String tokens(String markdown) {
        return interpolated().tokens(markdown);
    }

    /** {@code markdown} with every interpolated string put back in place of its token or marks. */
    String restore(String markdown) {
        return interpolated().restore(markdown);
    }

    /**
     * The rendered header block with the marks of a Markdown template's strings taken out ({@link Interpolated}),
     * and where values were read in it moved to match.
     */
    String header(String block) {
        if (block.indexOf(Interpolated.MARK) < 0 && block.indexOf(Interpolated.MARK_END) < 0) return block;
        StringBuilder b = new StringBuilder(block.length());
        int r = 0;
        int removed = 0;
        for (int i = 0; i < block.length(); i++) {
            for (; r < reads && readAt[r] <= i; r++) readAt[r] -= removed;
            if (Interpolated.isMark(block.charAt(i))) removed++;
            else b.append(block.charAt(i));
        }
        for (; r < reads; r++) readAt[r] -= removed;
        return b.toString();
    }

    /**
     * Where the first CSV value read while the output was between {@code from} and {@code to} (inclusive) was
     * read, or -1. A value is read just before it is written, and a condition on one just before what it
     * decides, so a position here marks where data begins to shape the output.
     */
    int firstReadBetween(int from, int to) {
        for (int i = 0; i < reads; i++) {
            if (readAt[i] > to) return -1;
            if (readAt[i] >= from) return readAt[i];
        }
        return -1;
    }

    private void read() {
        if (reads == readAt.length) readAt = java.util.Arrays.copyOf(readAt, reads * 2);
        readAt[reads++] = out.length();
    }

    private static void bodyStarts(Environment env, Map<?, ?> params, TemplateModel[] loopVars, TemplateDirectiveBody body) {
        RenderState s = (RenderState) env.getCustomAttribute(KEY);
        if (s.bodyStart < 0) s.enterBody(s.out.length());
    }

    private final class GuardedValue implements TemplateScalarModel {
        private final String column;
        private final String value;

        GuardedValue(String column, String value) {
            this.column = column;
            this.value = value;
        }

        @Override
        public String getAsString() throws TemplateModelException {
            if (bodyStart < 0 && hasLineBreak(value)) {
                injection = "header injection: column \"" + column + "\" contains a line break and is used in the header block;"
                        + " fix the value in the CSV (it is never sent or cleaned up silently)";
                throw new TemplateModelException(injection);
            }
            if (bodyStart >= 0) return value;
            read();
            return Header.protect(value);
        }
    }

    static boolean hasLineBreak(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n' || c == '\u000B' || c == '\u000C' || c == '\u0085' || c == '\u2028' || c == '\u2029') return true;
        }
        return false;
    }
}
