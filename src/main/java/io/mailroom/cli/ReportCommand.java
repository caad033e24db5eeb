package io.mailroom.cli;

import io.mailroom.job.InputMissingException;
import io.mailroom.report.Report;
import io.mailroom.report.ReportFormat;
import io.mailroom.store.PrivateFiles;
import io.mailroom.store.Store;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "report", mixinStandardHelpOptions = true, description = "Who got it, who didn't, and what the server said.")
final class ReportCommand implements Callable<Integer> {
    private final Context ctx;

    @Parameters(paramLabel = "JOBNAME")
    String name;

    @Mixin
    DatabaseOption db;

    @Option(names = "--format", paramLabel = "FORMAT", description = "text, csv, json or html (default: from the --output file's extension, else text)")
    String format;

    @Option(names = "--output", paramLabel = "FILE", description = "write to FILE instead of standard output")
    Path output;

    @Option(names = "--bom", description = "start a CSV report with a UTF-8 byte order mark, so spreadsheets such as Excel read it as UTF-8")
    boolean bom;

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
        ReportFormat f;
        if (format == null) format = output == null ? "text" : fromExtension(output.getFileName().toString());
        Path folder = output == null ? null : output.toAbsolutePath().getParent();
        if (folder != null && !Files.isDirectory(folder)) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--output: the folder " + folder
                    + " does not exist; create it first, or write the report somewhere else");
        }
        try {
            f = ReportFormat.valueOf(format.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--format must be text, csv, json or html, not \"" + format + "\"");
        }
        if (bom && f != ReportFormat.CSV) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--bom is for the CSV report (--format csv or an --output"
                    + " file ending in .csv), not " + format + "; leave it out");
        }
        String url = db.resolve(ctx);
        try (Store store = Store.openToRead(url, ctx.env(), ctx::note)) {
            ctx.jobs(false).settleLeftovers(store, name);
            Report r = Report.load(store, name, ctx.clock().instant()).orElseThrow(() -> new InputMissingException("no job named \"" + name + "\" in the database", null));
            if (output == null) {
                f.write(r, new PrintWriter(new OutputStreamWriter(ctx.out(), StandardCharsets.UTF_8)), bom);
            } else {
                try (PrintWriter w = new PrintWriter(new OutputStreamWriter(PrivateFiles.create(output, ctx::note), StandardCharsets.UTF_8))) {
                    f.write(r, w, bom);
                }
            }
            return ExitCodes.OK;
        } catch (Exception e) {
            Store.explainFailure(url, e);
            throw e;
        }
    }
}
