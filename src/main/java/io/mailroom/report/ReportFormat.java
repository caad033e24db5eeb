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
}
