package io.mailroom.job;

import io.mailroom.csv.CsvRow;
import io.mailroom.csv.CsvSource;
import io.mailroom.mime.MessageBuilder;
import io.mailroom.mime.OutgoingMessage;
import io.mailroom.template.MessageTemplate;
import io.mailroom.store.PrivateFiles;
import io.mailroom.store.Verdict;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Renders rows to .eml files (named row-key.eml) exactly as they would be sent, without the database or
 * the network. Rows that cannot become a message are reported, not written; a template or job-file mistake that
 * every row would meet is refused first, with run's exit code (65, 78).
 */
public final class Preview {
    public record Result(int written, int skipped, Path folder) {
        public int exitCode() { return Verdict.rehearsal(skipped).exitCode(); }
    }

    private final Clock clock;
    private final PrintStream err;

    public Preview(Clock clock, PrintStream err) {
        this.clock = clock;
        this.err = err;
    }

    public Result write(Path jobFile, Path folder, int limit) throws Exception {
        JobSpec spec = JobFile.load(jobFile);
        Finisher finisher = Finisher.of(spec.send(), clock);
        MessageTemplate template = Jobs.compile(spec);
        finisher.requireFits(template);
        // a mistake every row would meet is refused as run and --dry-run refuse it, not reported row after row
        Planner.requireReadable(spec, template, finisher);
        Composer composer = new Composer(template, AttachmentFolder.of(spec), new MessageBuilder(clock),
                spec.send().envelopeFrom(), spec.send().limits(), finisher);
        Path out = folder != null ? folder : Path.of(spec.name() + "-preview");
        PrivateFiles.folder(out, note -> err.println("mailroom: " + note));
        int written = 0, skipped = 0;
        try (CsvSource csv = Planner.open(spec)) {
            CsvRow row;
            while (written + skipped < limit && (row = Planner.next(csv)) != null) {
                try {
                    if (row.problem() != null) throw new RowProblem(row.problem());
                    OutgoingMessage m = composer.compose(row.fields(), null);
                    String key = Composer.key(spec.keyColumn(), row.fields(), m.envelope());
                    PrivateFiles.write(out.resolve(String.format("%06d-%s.eml", row.row(), safe(key))), m.bytes(), note -> { });
                    written++;
                } catch (RowProblem p) {
                    skipped++;
                    err.println(csv.file() + " row " + row.row() + ": skipped: " + p.getMessage());
                }
            }
        }
        return new Result(written, skipped, out);
    }

    /** A key made safe as part of a file name. */
    private static String safe(String key) {
        String s = key.replaceAll("[^A-Za-z0-9@._+-]", "_");
        return s.length() > 80 ? s.substring(0, 80) : s;
    }
}
