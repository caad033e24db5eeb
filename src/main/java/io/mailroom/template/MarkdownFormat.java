package io.mailroom.template;

import freemarker.core.CommonMarkupOutputFormat;
import freemarker.core.CommonTemplateMarkupOutputModel;
import freemarker.core.Environment;
import freemarker.template.TemplateModelException;
import java.io.IOException;
import java.io.Writer;

/**
 * FreeMarker's output format for a Markdown template: {@code ${...}} is auto-escaped, and escaping a string
 * means writing the token that stands for it ({@link Interpolated}), so no interpolated value is ever read
 * as Markdown. Text the template itself writes, and {@code ?no_esc}, stay Markdown. In the header block a
 * string is written as it is: headers are no Markdown.
 */
final class MarkdownFormat extends CommonMarkupOutputFormat<MarkdownFormat.Output> {
    static final MarkdownFormat INSTANCE = new MarkdownFormat();

    private MarkdownFormat() { }

    /** A piece of Markdown as FreeMarker holds it (a captured {@code <#assign>}, a {@code ?esc} result). */
    static final class Output extends CommonTemplateMarkupOutputModel<Output> {
        Output(String plainText, String markup) {
            super(plainText, markup);
        }

        @Override
        public MarkdownFormat getOutputFormat() {
            return INSTANCE;
        }
    }

    @Override
    public void output(String textToEsc, Writer out) throws IOException {
        out.write(state() == null ? textToEsc : state().interpolate(textToEsc));
    }

    @Override
    public String escapePlainText(String plainText) throws TemplateModelException {
        RenderState state = state();
        if (state == null) return plainText;
        try {
            return state.interpolate(plainText);
        } catch (BoundedOutput.TooLong e) {
            throw new TemplateModelException("the output for this row is over the limit (message.max-size)", e);
        }
    }

    private static RenderState state() {
        Environment env = Environment.getCurrentEnvironment();
        return env == null ? null : (RenderState) env.getCustomAttribute(RenderState.KEY);
    }

    @Override
    public boolean isLegacyBuiltInBypassed(String builtInName) {
        return false;
    }

    @Override
    protected Output newTemplateMarkupOutputModel(String plainText, String markup) {
        return new Output(plainText, markup);
    }

    @Override
    public String getName() {
        return "Markdown";
    }

    @Override
    public String getMimeType() {
        return "text/markdown";
    }
}
