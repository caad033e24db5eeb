package io.mailroom.template;

import freemarker.core.HTMLOutputFormat;
import freemarker.core.InvalidReferenceException;
import freemarker.core.OutputFormat;
import freemarker.core.ParseException;
import freemarker.core.TemplateClassResolver;
import freemarker.core.TemplateConfiguration;
import freemarker.core._CoreAPI;
import freemarker.template.Configuration;
import freemarker.template.SimpleHash;
import freemarker.template.SimpleObjectWrapper;
import freemarker.template.Template;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import java.io.IOException;
import java.io.StringReader;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The job's templates, compiled once and rendered per row.
 *
 * <p>The text template is a header block, a blank line, then the body; the whole file is one FreeMarker
 * template. FreeMarker is locked down: an undefined variable is an error for the row, never an empty
 * string; {@code ?new} and {@code ?api} cannot reach Java classes; nothing can be included from disk.
 * The HTML alternative auto-escapes CSV values. A CSV value with a line break used before the blank line
 * (where it would forge a header) fails the row with a reason. A row's rendering is bounded by the
 * {@link RenderLimits} (output size, time), and one that recurses without end or runs out of memory fails
 * that row, not the job.
 *
 * <p>A header block with the line {@code Content-Type: text/markdown} makes the body Markdown: the text part is
 * the body as rendered, and CommonMark makes the HTML alternative of it ({@link Markdown}); interpolated values
 * stay literal text in both ({@link MarkdownFormat}).
 */
public final class MessageTemplate {
    private static final Configuration CONFIG = strictConfiguration();
    /** Built-ins that turn a string into template code; what they run is parsed at render time, unchecked. */
    private static final Pattern DATA_AS_CODE = Pattern.compile("\\?\\s*(interpret|eval)\\b");
    /** A variable as FreeMarker writes one back, "\\-" and the like escaping what a name could not hold otherwise. */
    private static final Pattern PLAIN_NAME = Pattern.compile("(?:[\\p{L}_$@]|\\\\.)(?:[\\p{L}\\p{N}_$@]|\\\\.)*");
    /**
     * The one Content-Type a template may write, as it must be written: on a line of its own, no data in it; with
     * RFC 7763's parameters where they say what mailroom does (UTF-8, rendered as CommonMark).
     */
    static final Pattern MARKDOWN_LINE = Pattern.compile(
            "(?i)content-type:[ \t]*text/markdown[ \t]*(;[ \t]*(charset=\"?utf-8\"?|variant=\"?commonmark\"?)[ \t]*)*");

    private final String name;
    private final Template text;
    private final Template html;
    /** Whether the body is Markdown, the HTML alternative made from it. */
    private final boolean markdown;
    private final RenderLimits limits;
    /** The blank line that ends the header block, 1-based. */
    private final int bodyLine;
    private final Deadline deadline = new Deadline();

    /** The header block as written: what {@link #neverWrites} reads. */
    private final String headerBlock;

    private MessageTemplate(String name, Template text, Template html, boolean markdown, RenderLimits limits, int bodyLine, String headerBlock) {
        this.headerBlock = headerBlock;
        this.name = name;
        this.text = text;
        this.html = html;
        this.markdown = markdown;
        this.limits = limits;
        this.bodyLine = bodyLine;
    }

    /** Compiles the templates with the default limits; {@code htmlSource} may be null. */
    public static MessageTemplate compile(String name, String source, String htmlName, String htmlSource)
            throws TemplateSyntaxException {
        return compile(name, source, htmlName, htmlSource, RenderLimits.DEFAULT);
    }

    /** Compiles the templates; {@code htmlSource} may be null. */
    public static MessageTemplate compile(String name, String source, String htmlName, String htmlSource, RenderLimits limits)
            throws TemplateSyntaxException {
        String normalized = source.replace("\r\n", "\n").replace('\r', '\n');
        int blank = firstBlankLine(normalized);
        if (blank < 0) {
            throw new TemplateSyntaxException(name + ": no blank line after the header block; a template is headers"
                    + " (From:, To:, Subject: ...), one empty line, then the body", null);
        }
        boolean markdown = normalized.lines().limit(blank).anyMatch(l -> MARKDOWN_LINE.matcher(l).matches());
        if (markdown && htmlSource != null) {
            throw new TemplateSyntaxException(name + ": its header block says Content-Type: text/markdown, so its HTML part is made from"
                    + " the Markdown, and the job also names template.html (" + htmlName + "): two HTML bodies. Remove template.html from"
                    + " the job file, or the Content-Type line from the template", null);
        }
        OutputFormat format = markdown ? MarkdownFormat.INSTANCE : null;
        Template text;
        try {
            text = parse(name, withBodyMarker(normalized, blank), format);
        } catch (TemplateSyntaxException marked) {
            // the file as written says best what is wrong with it; only where the marker itself clashes is its error told
            parse(name, normalized, format);
            throw new TemplateSyntaxException(name + " line " + (blank + 1) + ": the blank line that ends the header block is inside"
                    + " a ${...}, a string or a directive's tag; close it before that line (" + marked.getMessage() + ")", marked);
        }
        Template html = htmlSource == null ? null : parse(htmlName, htmlSource, HTMLOutputFormat.INSTANCE);
        return new MessageTemplate(name, text, html, markdown, limits, blank + 1, String.join("\n", normalized.lines().limit(blank).toList()));
    }

    /**
     * A one-line template a job key holds (list-unsubscribe.url), named after the key: no header block, compiled and
     * rendered with the same locked-down configuration and limits as a message, an undefined variable failing the row.
     */
    public static MessageTemplate line(String key, String source, RenderLimits limits) throws TemplateSyntaxException {
        return new MessageTemplate(key, parse(key, source, null), null, false, limits, 0, "");
    }

    /** Renders a {@link #line} template for one row: CSV values as they are; the caller checks what it makes. */
    public String renderLine(Map<String, String> fields) throws RowRenderException {
        RenderState state = new RenderState();
        state.enterBody(0);
        return run(text, name, state.model(fields), state);
    }

    /** Whether a line of the header block as written starts with header {@code header} (the template sets it itself). */
    public boolean writes(String header) {
        String prefix = header.toLowerCase(java.util.Locale.ROOT);
        return headerBlock.lines().map(l -> l.strip().toLowerCase(java.util.Locale.ROOT))
                .anyMatch(l -> l.startsWith(prefix) && l.substring(prefix.length()).stripLeading().startsWith(":"));
    }

    /**
     * Whether the header block can never write header {@code header}: no line of it starts with that name, nor with
     * anything that could make one (an interpolation or a directive). Then every row lacks it: the template's fault.
     */
    public boolean neverWrites(String header) {
        String prefix = header.toLowerCase(java.util.Locale.ROOT) + ":";
        return headerBlock.lines().map(l -> l.strip().toLowerCase(java.util.Locale.ROOT))
                .noneMatch(l -> l.startsWith(prefix) || l.startsWith("${") || l.startsWith("<#") || l.startsWith("<@") || l.startsWith("[#"));
    }

    /** The template file's name, as messages name it. */
    public String name() {
        return name;
    }

    public RenderedMessage render(Map<String, String> fields) throws RowRenderException {
        RenderState state = new RenderState();
        String out = run(text, name, state.model(fields), state);
        int at = state.bodyStart();
        if (at < 0) {
            throw new TemplateFault(name + " line " + bodyLine + ": the blank line that ends the header block is inside a directive"
                    + " or a comment that did not write it; it must stand on its own", name + " line " + bodyLine, null);
        }
        String headerBlock = out.substring(0, at);
        String body = out.substring(at);
        if (body.startsWith("\n")) body = body.substring(1);
        String htmlBody = null;
        if (markdown) {
            htmlBody = Markdown.html(state.tokens(body), state);
            body = state.restore(body);
        } else if (html != null) {
            RenderState bodyOnly = new RenderState();
            bodyOnly.enterBody(0);
            htmlBody = run(html, html.getName(), bodyOnly.model(fields), bodyOnly);
        }
        return new RenderedMessage(HeaderBlock.parse(name, state.header(headerBlock), state, markdown), body, htmlBody);
    }

    private String run(Template template, String file, SimpleHash model, RenderState state) throws RowRenderException {
        BoundedOutput out = new BoundedOutput(limits.maxChars());
        Deadline.Timer timer = deadline.start(limits.maxTime().toMillis());
        String problem = null;
        TemplateFault fault = null;
        RuntimeException unexpected = null;
        try {
            var env = template.createProcessingEnvironment(model, out);
            env.setCustomAttribute(RenderState.KEY, state);
            state.attach(out);
            env.process();
        } catch (TemplateException e) {
            String where = file + " line " + e.getLineNumber() + ", column " + e.getColumnNumber();
            String notAColumn = notAColumn(e, model);
            if (state.injection() != null) problem = state.injection();
            else if (notAColumn != null) fault = new TemplateFault(where + ": " + describe(e), where, notAColumn);
            else problem = where + ": " + describe(e);
        } catch (BoundedOutput.TooLong e) {
            problem = file + ": the output for this row is over " + limits.maxChars() + " characters (message.max-size);"
                    + " a loop that runs away on this row's values?";
        } catch (StackOverflowError e) {
            problem = file + ": rendering this row recursed too deeply (a macro or function that calls itself without end?)";
        } catch (OutOfMemoryError e) {
            problem = file + ": rendering this row ran out of memory (a loop or a string that grows with this row's values?)";
        } catch (IOException e) {
            unexpected = new IllegalStateException("writing to memory failed", e);
        } catch (RuntimeException e) {
            // includes FreeMarker's own signal for an interrupted render, an unchecked exception of its internals
            unexpected = e;
        }
        if (timer.end()) {
            throw new RowRenderException(file + ": rendering this row took longer than " + limits.maxTime().toMillis()
                    + " ms (template.max-render-time); a loop that runs away on this row's values?");
        }
        if (unexpected != null) throw unexpected;
        if (fault != null) throw fault;
        if (problem != null) throw new RowRenderException(problem);
        return out.toString();
    }

    /** Parses one template; {@code format} null for plain text, else the format its interpolations are escaped for. */
    private static Template parse(String name, String source, OutputFormat format) throws TemplateSyntaxException {
        Matcher code = DATA_AS_CODE.matcher(source);
        if (code.find()) {
            throw new TemplateSyntaxException(name + ": ?" + code.group(1) + " is not allowed: it would run text (a CSV value) as template"
                    + " code, out of reach of the limits on a row", null);
        }
        try {
            if (format == null) return interruptible(new Template(name, source, CONFIG));
            TemplateConfiguration tc = new TemplateConfiguration();
            tc.setParentConfiguration(CONFIG);
            tc.setOutputFormat(format);
            Template t = new Template(name, null, new StringReader(source), CONFIG, tc, null);
            tc.apply(t);
            return interruptible(t);
        } catch (ParseException e) {
            throw new TemplateSyntaxException(name + " line " + e.getLineNumber() + ", column " + e.getColumnNumber()
                    + ": " + SyntaxMessage.of(e), e);
        } catch (IOException e) {
            throw new IllegalStateException("reading from memory failed", e);
        }
    }

    /** FreeMarker has no time limit of its own, but can check for an interrupt in every loop (see {@link Deadline}). */
    private static Template interruptible(Template t) {
        _CoreAPI.addThreadInterruptedChecks(t);
        return t;
    }

    /**
     * The variable an undefined reference names when it is a plain name that is not a column: no row defines it,
     * so every row that gets there fails (a misspelt column, usually); null for anything else.
     */
    private static String notAColumn(TemplateException e, SimpleHash model) {
        String blamed = e.getBlamedExpressionString();
        if (!(e instanceof InvalidReferenceException) || blamed == null || !PLAIN_NAME.matcher(blamed).matches()) return null;
        String name = blamed.replaceAll("\\\\(.)", "$1");
        return model.containsKey(name) ? null : name;
    }

    private static String describe(TemplateException e) {
        String blamed = e.getBlamedExpressionString();
        if (e instanceof InvalidReferenceException && blamed != null) {
            return "undefined variable " + blamed + " (no such CSV column, and undefined is never an empty string)";
        }
        return firstLine(e.getMessageWithoutStackTop()) + (blamed == null ? "" : " " + blamed);
    }

    private static int firstBlankLine(String source) {
        String[] lines = source.split("\n", -1);
        for (int i = 0; i < lines.length; i++) if (lines[i].isBlank()) return i;
        return -1;
    }

    /** Puts the boundary directive on the blank line itself, so template line numbers stay true. */
    private static String withBodyMarker(String source, int blankLine) {
        String[] lines = source.split("\n", -1);
        lines[blankLine] = "<@" + RenderState.DIRECTIVE + "/>";
        return String.join("\n", lines);
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }

    private static Configuration strictConfiguration() {
        Configuration c = new Configuration(Configuration.VERSION_2_3_34);
        c.setDefaultEncoding("UTF-8");
        c.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
        c.setLogTemplateExceptions(false);
        c.setWrapUncheckedExceptions(true);
        c.setFallbackOnNullLoopVariable(false);
        c.setNewBuiltinClassResolver(TemplateClassResolver.ALLOWS_NOTHING_RESOLVER);
        c.setAPIBuiltinEnabled(false);
        c.setObjectWrapper(new SimpleObjectWrapper(Configuration.VERSION_2_3_34));
        c.setTemplateLoader(null);
        c.setLocalizedLookup(false);
        c.setNumberFormat("computer");
        // ?url escapes a value for a URL's query (list-unsubscribe.url); without a charset FreeMarker refuses to
        c.setURLEscapingCharset("UTF-8");
        return c;
    }
}
