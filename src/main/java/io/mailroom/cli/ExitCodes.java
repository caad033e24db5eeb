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
import io.mailroom.smtp.PasswordUnavailableException;
import io.mailroom.store.NoDatabaseException;
import io.mailroom.store.PathException;
import io.mailroom.store.Verdict;
import java.io.PrintStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
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

    /**
     * What each exit code means, in the contract's words (with what else leads to it), for every command's help.
     * A job's verdict decides 0, 1 and 75 ({@link Verdict}); the exceptions below decide the rest.
     */
    static final Map<Integer, String> MEANINGS = meanings();

    private static Map<Integer, String> meanings() {
        Map<Integer, String> m = new LinkedHashMap<>();
        m.put(Verdict.SENT.exitCode(), "job finished: every recipient sent (or cancelled with mailroom cancel)");
        m.put(Verdict.PROBLEMS.exitCode(), "job finished, but some recipients are failed, partial, skipped or unknown");
        m.put(USAGE, "command-line usage error");
        m.put(DATA, "data error: the CSV or template cannot be used at all (nothing was sent)");
        m.put(NO_INPUT, "an input file is missing or unreadable (also: no such job, no such database file, a damaged one)");
        m.put(UNAVAILABLE, "the SMTP server could not be reached or refused the session");
        m.put(SOFTWARE, "internal error (a bug)");
        m.put(Verdict.UNFINISHED.exitCode(), "job unfinished: pending or deferred recipients remain; run or resume again later"
                + " (also: the database is busy or cannot be reached)");
        m.put(NO_PERMISSION, "authentication rejected (by the SMTP server, or the database)");
        m.put(CONFIG, "configuration error in the job file (also: its password variable is not set, smtp.password.command failed, or the DKIM key cannot sign)");
        return Collections.unmodifiableMap(m);
    }

    /** For picocli's exit code list: the codes right-aligned. */
    static Map<String, String> helpList() {
        Map<String, String> list = new LinkedHashMap<>();
        MEANINGS.forEach((code, meaning) -> list.put(String.format("%3d", code), meaning));
        return list;
    }

    private final PrintStream err;

    ExitCodes(PrintStream err) {
        this.err = err;
    }

    static int of(Throwable e) {
        // read when the first session was about to open: what its source said decides
        if (e instanceof PasswordUnavailableException p) return of(p.getCause());
        if (e instanceof JobFileException) return CONFIG;
        if (e instanceof InputMissingException || e instanceof NoDatabaseException) return NO_INPUT;
        if (e instanceof DataException) return DATA;
        if (e instanceof JobBusyException || e instanceof DatabaseBusyException || e instanceof DatabaseUnavailableException) return TEMPFAIL;
        if (e instanceof DatabaseLoginException) return NO_PERMISSION;
        // a worker cut off from the database for longer than its lease: what it held is the others' now
        if (e instanceof LeaseLostException) return TEMPFAIL;
        if (e instanceof DatabaseUrlException) return USAGE;
        // --sandbox, --output or --db names a place that cannot be written: the command line is wrong
        if (e instanceof PathException) return USAGE;
        // a damaged database is an unreadable input; a failed write (a full disk) leaves the job to resume later
        if (e instanceof DatabaseFileException d) return d.kind() == DatabaseFileException.Kind.DAMAGED ? NO_INPUT : TEMPFAIL;
        // a journal of another database is an input that cannot be used; a failed write leaves the job to resume later
        if (e instanceof JournalException j) return j.kind() == JournalException.Kind.NOT_OURS ? NO_INPUT : TEMPFAIL;
        if (e instanceof io.mailroom.bounce.MailboxException m) {
            return switch (m.kind()) {
                case AUTH_REJECTED -> NO_PERMISSION;
                case POLICY -> CONFIG;
                case HANDLER -> of(m.getCause());
                default -> UNAVAILABLE;
            };
        }
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
        err.println("mailroom: " + e.getMessage() + (e instanceof NoDatabaseException ? WHERE_JOBS_ARE : ""));
        return code;
    }

    /** Said when a database file is not there: most often the command ran in another folder than the job did. */
    static final String WHERE_JOBS_ARE = "; mailroom keeps jobs in ./.mailroom/ of the folder it runs in unless --db or MAILROOM_DB names"
            + " a database: run it in the folder the job ran in, or name the job's database";

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
        // the error and where to read more; the whole help would bury the error
        String command = e.getCommandLine().getCommandSpec().qualifiedName();
        // a command that built a CommandLine of its own for the error (init) is still mailroom's
        if (!command.startsWith("mailroom")) command = "mailroom " + command;
        // picocli's "Unmatched argument at index 0: 'frobnicate'" for a command that does not exist
        boolean noSuchCommand = e instanceof CommandLine.UnmatchedArgumentException u && command.equals("mailroom") && !u.getUnmatched().isEmpty()
                && !u.getUnmatched().get(0).startsWith("-");
        err.println("mailroom: " + (noSuchCommand ? "no command \"" + ((CommandLine.UnmatchedArgumentException) e).getUnmatched().get(0)
                + "\"; the commands are run, resume, status, report, cancel, bounces, preview and init" : e.getMessage()));
        err.println("try '" + command + " --help'");
        return USAGE;
    }
}
