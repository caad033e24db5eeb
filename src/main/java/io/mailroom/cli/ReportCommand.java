package io.mailroom.cli;

import io.mailroom.job.Jobs;
import io.mailroom.report.Report;
import io.mailroom.report.ReportFormat;
import io.mailroom.store.PrivateFiles;
import io.mailroom.store.Store;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "report", mixinStandardHelpOptions = true, description = "Who got it, who didn't, and what the server said.")
final class ReportCommand implements Callable<Integer> {
    private final Context ctx;

    @Parameters(paramLabel = "JOBNAME", description = "the job's name (its job file's name= key, else the file's name without extension)")
    String name;

    @Mixin
    DatabaseOption db;

    @Option(names = "--format", paramLabel = "FORMAT", description = "text, csv, json or html (default: from the --output file's extension, else text)")
    String format;

    @Option(names = "--output", paramLabel = "FILE", description = "write to FILE instead of standard output")
    Path output;

    @Option(names = "--bom", description = "start a CSV report with a UTF-8 byte order mark, so spreadsheets such as Excel read it as UTF-8")
    boolean bom;

    @Spec
    CommandSpec spec;

    ReportCommand(Context ctx) {
        this.ctx = ctx;
    }

    /** report.html is html, report.json json, report.csv csv; anything else text. */
    private static String fromExtension(String file) {
        String ext = file.substring(file.lastIndexOf('.') + 1).toLowerCase(java.util.Locale.ROOT);
        return switch (ext) {
            case "html", "htm" -> "html";
            case "json", "csv" -> ext;
            default -> "text";
        };
    }

    @Override
    public Integer call() throws Exception {
        if (format == null) format = output == null ? "text" : fromExtension(output.getFileName().toString());
        ReportFormat f;
        try {
            f = ReportFormat.valueOf(format.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--format must be text, csv, json or html, not \"" + format + "\"");
        }
        if (bom && f != ReportFormat.CSV) {
            throw new ParameterException(spec.commandLine(), "--bom is for the CSV report (--format csv or an --output"
                    + " file ending in .csv), not " + format + "; leave it out");
        }
        checkOutput(f);
        String url = db.resolve(ctx);
        try (Store store = Store.openExistingToRead(url, ctx.env(), ctx::note, name)) {
            ctx.jobs(false).settleLeftovers(store, name);
            Report r = Report.load(store, name, ctx.clock().instant()).orElseThrow(() -> Jobs.noJobNamed(name, store));
            if (output == null) {
                f.write(r, new PrintWriter(new OutputStreamWriter(ctx.out(), StandardCharsets.UTF_8)), bom);
            } else {
                try (PrintWriter w = new PrintWriter(new OutputStreamWriter(outputFile(), StandardCharsets.UTF_8))) {
                    f.write(r, w, bom);
                }
            }
            return ExitCodes.OK;
        } catch (Exception e) {
            Store.explainFailure(url, e);
            throw e;
        }
    }

    /**
     * --output names a place the report cannot go: a usage error (64), said before the database is opened. Not 66,
     * which says an input (a job file, the job, its database) is missing, and the contract has no code of its own
     * for an output; nothing about the job is wrong, the command line is.
     */
    private void checkOutput(ReportFormat f) {
        if (output == null) return;
        Path folder = output.toAbsolutePath().getParent();
        if (folder != null && !Files.isDirectory(folder)) {
            Path file = folder;
            while (file != null && !Files.exists(file)) file = file.getParent();
            if (file != null && !Files.isDirectory(file)) {
                throw new ParameterException(spec.commandLine(), "--output: " + file + " is a file, not a folder; write the report somewhere else");
            }
            throw new ParameterException(spec.commandLine(), "--output: the folder " + folder
                    + " does not exist; create it first, or write the report somewhere else");
        }
        if (Files.isDirectory(output)) {
            throw new ParameterException(spec.commandLine(), "--output: " + output + " is a folder; name a file in it, e.g. "
                    + output.resolve(name + "-report." + (f == ReportFormat.TEXT ? "txt" : f.name().toLowerCase(java.util.Locale.ROOT))));
        }
    }

    private OutputStream outputFile() throws IOException {
        try {
            return PrivateFiles.create(output, ctx::note);
        } catch (FileSystemException e) {
            throw new ParameterException(spec.commandLine(), "--output: cannot write " + output + ": " + PrivateFiles.why(e)
                    + "; write the report somewhere else");
        }
    }
}
