package io.mailroom.cli;

import io.mailroom.send.Pause;
import io.mailroom.send.Stop;
import sun.misc.Signal;
import sun.misc.SignalHandler;
import java.time.Clock;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** mailroom: batch mail merge. Each subcommand is a thin wrapper over a use case in the job package. */
@Command(name = "mailroom", mixinStandardHelpOptions = true, version = "mailroom 0.1.0",
        description = "Batch mail merge: CSV + FreeMarker templates -> MIME -> one reused SMTP session; every attempt recorded.",
        subcommands = CommandLine.HelpCommand.class)
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * The first SIGINT or SIGTERM asks the running command to stop after the messages in hand; it records
     * them and exits as usual (75 while recipients remain). A second one ends the process at once. The
     * signals are handled here, not by starting the JVM's shutdown, because the database closes itself in a
     * shutdown hook and a run that is finishing still needs it.
     */
    public static void main(String[] args) {
        Stop stop = new Stop();
        StatusLine line = StatusLine.on(System.err, System::getenv);
        // said below a progress line, not into it
        java.io.PrintStream notices = new java.io.PrintStream(line.guard(System.err), true);
        SignalHandler onSignal = signal -> {
            if (stop.requested()) Runtime.getRuntime().halt(128 + signal.getNumber());
            stop.request();
            notices.println("mailroom: stopping after the messages in hand (" + signal.getName() + " again stops at once)");
        };
        Signal.handle(new Signal("INT"), onSignal);
        Signal.handle(new Signal("TERM"), onSignal);
        System.exit(execute(new Context(System.out, System.err, System::getenv, Clock.systemUTC(), Pause.REAL, stop, line), args));
    }

    /**
     * Runs one command line; returns the exit code. Everything it prints goes through escaping streams,
     * installed here once, so no command can print a control character from data or a server by mistake.
     */
    static int execute(Context given, String... args) {
        Context ctx = given.escaping();
        try {
            return commandLine(ctx).execute(args);
        } catch (Error e) {
            // picocli passes Errors through, and an uncaught one would exit 1, which a scheduler reads as "finished"
            return new ExitCodes(ctx.err()).handleError(e);
        } finally {
            ctx.out().close();
            ctx.err().close();
        }
    }

    private static CommandLine commandLine(Context ctx) {
        ExitCodes exits = new ExitCodes(ctx.err());
        CommandLine cl = new CommandLine(new Main())
                .addSubcommand(new RunCommand(ctx))
                .addSubcommand(new ResumeCommand(ctx))
                .addSubcommand(new StatusCommand(ctx))
                .addSubcommand(new ReportCommand(ctx))
                .addSubcommand(new PreviewCommand(ctx))
                .addSubcommand(new InitCommand(ctx))
                .addSubcommand(new CancelCommand(ctx))
                .addSubcommand(new BouncesCommand(ctx));
        // ANSI styles would show as escapes: help and usage are plain text
        cl.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        exitCodesInHelp(cl);
        cl.setOut(new java.io.PrintWriter(ctx.out(), true));
        cl.setErr(new java.io.PrintWriter(ctx.err(), true));
        cl.setExecutionExceptionHandler(exits);
        cl.setParameterExceptionHandler(exits);
        return cl;
    }

    /** Every command's help ends with what its exit code means (ExitCodes.MEANINGS): schedulers and scripts act on it. */
    private static void exitCodesInHelp(CommandLine cl) {
        cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(ExitCodes.helpList());
        for (CommandLine sub : cl.getSubcommands().values()) exitCodesInHelp(sub);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: run, resume, status, report, cancel, bounces, preview or init");
    }
}
