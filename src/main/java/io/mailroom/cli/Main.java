package io.mailroom.cli;

import io.mailroom.job.Pause;
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

    public static void main(String[] args) {
        System.exit(execute(new Context(System.out, System.err, System::getenv, Clock.systemUTC(), Pause.REAL), args));
    }

    /** Runs one command line; returns the exit code. */
    static int execute(Context ctx, String... args) {
        ExitCodes exits = new ExitCodes(ctx.err());
        CommandLine cl = new CommandLine(new Main())
                .addSubcommand(new RunCommand(ctx))
                .addSubcommand(new ResumeCommand(ctx))
                .addSubcommand(new StatusCommand(ctx))
                .addSubcommand(new ReportCommand(ctx))
                .addSubcommand(new PreviewCommand(ctx))
                .addSubcommand(new InitCommand(ctx));
        cl.setOut(new java.io.PrintWriter(ctx.out(), true));
        cl.setErr(new java.io.PrintWriter(ctx.err(), true));
        cl.setExecutionExceptionHandler(exits);
        cl.setParameterExceptionHandler(exits);
        return cl.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: run, resume, status, report, preview or init");
    }
}
