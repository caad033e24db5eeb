package io.mailroom.cli;

import io.mailroom.job.DataException;
import io.mailroom.job.InputMissingException;
import io.mailroom.job.JobFileException;
import io.mailroom.send.JournalException;
import io.mailroom.smtp.SmtpSessionException;
import io.mailroom.store.DatabaseBusyException;
import io.mailroom.store.DatabaseLoginException;
import io.mailroom.store.LeaseLostException;
import io.mailroom.store.DatabaseUnavailableException;
import io.mailroom.store.DatabaseFileException;
import io.mailroom.store.DatabaseUrlException;
import io.mailroom.store.JobBusyException;
import java.io.PrintStream;
import picocli.CommandLine;

/**
 * The one place exceptions become the contract's exit codes (sysexits). Each known failure is one line
 * on standard error that says what and where; anything else is a bug (70) and shows its stack trace.
 */
final class ExitCodes implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {
    static final int OK = 0;
    static final int USAGE = 64;
    static final int DATA = 65;
    static final int NO_INPUT = 66;
    static final int UNAVAILABLE = 69;
    static final int SOFTWARE = 70;
    static final int TEMPFAIL = 75;
    static final int NO_PERMISSION = 77;
    static final int CONFIG = 78;

    private final PrintStream err;

    ExitCodes(PrintStream err) {
        this.err = err;
    }

    static int of(Throwable e) {
        if (e instanceof JobFileException) return CONFIG;
        if (e instanceof InputMissingException) return NO_INPUT;
        if (e instanceof DataException) return DATA;
        if (e instanceof JobBusyException || e instanceof DatabaseBusyException || e instanceof DatabaseUnavailableException) return TEMPFAIL;
        if (e instanceof DatabaseLoginException) return NO_PERMISSION;
        // a worker cut off from the database for longer than its lease: what it held is the others' now
        if (e instanceof LeaseLostException) return TEMPFAIL;
        if (e instanceof DatabaseUrlException) return USAGE;
        // a damaged database is an unreadable input; a failed write (a full disk) leaves the job to resume later
        if (e instanceof DatabaseFileException d) return d.kind() == DatabaseFileException.Kind.DAMAGED ? NO_INPUT : TEMPFAIL;
        // a journal of another database is an input that cannot be used; a failed write leaves the job to resume later
        if (e instanceof JournalException j) return j.kind() == JournalException.Kind.NOT_OURS ? NO_INPUT : TEMPFAIL;
        if (e instanceof SmtpSessionException s) {
            return switch (s.kind()) {
                case AUTH_REJECTED -> NO_PERMISSION;
                case POLICY -> CONFIG;
                case UNREACHABLE, HOST_NOT_FOUND, REFUSED -> UNAVAILABLE;
            };
        }
        return SOFTWARE;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        int code = of(e);
        if (code == SOFTWARE) return internal(e);
        err.println("mailroom: " + e.getMessage());
        return code;
    }

    /** An Error (out of memory, stack overflow) outside the places that turn it into a row's problem: a bug. */
    int handleError(Error e) {
        return internal(e);
    }

    private int internal(Throwable e) {
        err.println("mailroom: internal error (please report it): " + e);
        e.printStackTrace(err);
        return SOFTWARE;
    }

    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) {
        err.println("mailroom: " + e.getMessage());
        e.getCommandLine().usage(err);
        return USAGE;
    }
}
