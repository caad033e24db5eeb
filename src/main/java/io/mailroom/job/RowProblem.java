package io.mailroom.job;

/** Why one row cannot become a message; the row is skipped with this reason and never sent. */
public final class RowProblem extends Exception {
    public RowProblem(String reason) { super(reason); }
}
