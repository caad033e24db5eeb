package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What --help and a usage error show a user: every command's parameters and exit codes; an error not buried in help. */
class HelpAndUsageTest {
    /** The contract's table (spec/contract.md, "Exit codes"), as a user reads it at the start of each line. */
    private static final Map<Integer, String> CONTRACT = Map.of(
            0, "job finished: every recipient sent",
            1, "job finished, but some recipients are failed, partial, skipped or",
            64, "command-line usage error",
            65, "data error: the CSV or template cannot be used at all",
            66, "an input file is missing or unreadable",
            69, "the SMTP server could not be reached or refused the session",
            70, "internal error (a bug)",
            75, "job unfinished: pending or deferred recipients remain; run or resume",
            77, "authentication rejected",
            78, "configuration error in the job file");

    @Test
    void everyCommandsHelpListsTheExitCodesWithTheContractsMeanings() {
        for (String command : List.of("run", "resume", "status", "report", "cancel", "preview", "init", "--help")) {
            Cli.Result help = command.equals("--help") ? Cli.run("--help") : Cli.run(command, "--help");
            assertEquals(0, help.exit(), command);
            assertTrue(help.out().contains("\nExit codes:\n"), command + ": " + help.out());
            CONTRACT.forEach((code, meaning) -> assertTrue(Pattern.compile("(?m)^ +" + code + " +" + Pattern.quote(meaning)).matcher(help.out()).find(),
                    command + " --help lists " + code + " as \"" + meaning + "\":\n" + help.out()));
        }
    }

    @Test
    void helpDescribesEveryPositionalParameter() {
        Map<String, String> described = Map.of(
                "run", "JOBFILE +the job file",
                "preview", "JOBFILE +the job file",
                "resume", "JOBNAME +the job's name",
                "status", "\\[JOBNAME\\] +the job's name",
                "report", "JOBNAME +the job's name",
                "cancel", "KEY... +the recipient.s key",
                "init", "DIR +the folder to write the starter job into");
        described.forEach((command, line) -> {
            String help = Cli.run(command, "--help").out();
            assertTrue(Pattern.compile("(?m)^ +" + line).matcher(help).find(), command + " --help describes " + line + ":\n" + help);
        });
    }

    @Test
    void aUsageErrorIsTheErrorAndWhereToReadMoreNotTheWholeHelp() {
        Cli.Result missing = Cli.run("run");
        assertEquals(64, missing.exit());
        assertEquals("mailroom: Missing required parameter: 'JOBFILE'\ntry 'mailroom run --help'\n", missing.err());
        assertEquals("", missing.out());

        Cli.Result badFormat = Cli.run("report", "x", "--format", "pdf");
        assertEquals(64, badFormat.exit());
        assertEquals("mailroom: --format must be text, csv, json or html, not \"pdf\"\ntry 'mailroom report --help'\n", badFormat.err());

        Cli.Result unknown = Cli.run("frobnicate");
        assertEquals(64, unknown.exit());
        assertEquals("mailroom: no command \"frobnicate\"; the commands are run, resume, status, report, cancel, bounces, preview and init\n"
                + "try 'mailroom --help'\n", unknown.err());

        Cli.Result noCommand = Cli.run();
        assertEquals(64, noCommand.exit());
        assertEquals("mailroom: a command is required: run, resume, status, report, cancel, bounces, preview or init\ntry 'mailroom --help'\n", noCommand.err());
    }
}
