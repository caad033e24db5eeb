package io.mailroom.template;

/**
 * A row that failed where none of its values played a part, so every row that gets as far fails the same
 * way: the template's mistake, not the row's. A variable that is no column of the CSV, a header line whose
 * own text can never be "Name: value", a header mailroom writes itself. Planning refuses a job whose first
 * row that renders at all meets one, instead of skipping row after row; a later row that meets one (behind
 * an {@code <#if>} on its values) is skipped like any other.
 */
public final class TemplateFault extends RowRenderException {
    private final String where;
    private final String variable;

    TemplateFault(String message, String where, String variable) {
        super(message);
        this.where = where;
        this.variable = variable;
    }

    /** The template file and line (and column, when known): "welcome.ftl line 3, column 8". */
    public String where() { return where; }

    /** The variable that is no column, as the row's data would have named it; null for any other fault. */
    public String variable() { return variable; }
}
