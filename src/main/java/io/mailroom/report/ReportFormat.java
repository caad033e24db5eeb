package io.mailroom.report;

import java.io.PrintWriter;

/** The report formats of {@code mailroom report --format}. */
public enum ReportFormat {
    TEXT, CSV, JSON, HTML;

    public void write(Report report, PrintWriter out) {
        switch (this) {
            case TEXT -> TextReport.write(report, out);
            case CSV -> CsvReport.write(report, out);
            case JSON -> JsonReport.write(report, out);
            case HTML -> HtmlReport.write(report, out);
        }
        out.flush();
    }

    /**
     * {@link #write}, a CSV report led by a UTF-8 byte order mark when {@code bom}: without one, Excel reads a CSV in
     * the system's code page and mangles every non-ASCII name. Only CSV takes one; JSON and HTML readers may refuse it.
     */
    public void write(Report report, PrintWriter out, boolean bom) {
        if (bom && this != CSV) throw new IllegalArgumentException("a byte order mark is for the CSV report only");
        if (bom) out.print('\uFEFF');
        write(report, out);
    }
}
