package io.mailroom.job;

/**
 * Why one row cannot become a message; the row is skipped with this reason and never sent. A reason
 * quotes the row's data, so it is kept to one line (a line break from data would forge the next line of
 * output) and cut to a readable length: one hostile value must not make a reason the store can't hold or
 * a screenful of output.
 */
public final class RowProblem extends Exception {
    static final int LONGEST = 1000;

    public RowProblem(String reason) { super(cut(reason)); }

    private static String cut(String reason) {
        reason = reason.replace("\r", "\\x0d").replace("\n", "\\x0a");
        return reason.length() <= LONGEST ? reason : reason.substring(0, LONGEST) + "… (" + reason.length() + " characters in all)";
    }
}
