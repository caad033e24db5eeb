package io.mailroom.cli;

import io.mailroom.job.Preview;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "preview", mixinStandardHelpOptions = true, description = "Render messages to .eml files; touches neither the database nor the network.")
final class PreviewCommand implements Callable<Integer> {
    private final Context ctx;

    @Parameters(paramLabel = "JOBFILE", description = "the job file (Java properties)")
    Path jobFile;

    @Option(names = "--output", paramLabel = "DIR", description = "where to write (default: ./<job name>-preview)")
    Path output;

    @Option(names = "--limit", paramLabel = "N", description = "render at most N rows")
    Integer limit;

    PreviewCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws Exception {
        Preview.Result r = new Preview(ctx.clock(), ctx.err()).write(jobFile, output, limit == null ? Integer.MAX_VALUE : limit);
        ctx.out().println("wrote " + r.written() + " message(s) to " + r.folder() + (r.skipped() > 0 ? "; " + r.skipped() + " row(s) skipped (see above)" : ""));
        return r.exitCode();
    }
}
