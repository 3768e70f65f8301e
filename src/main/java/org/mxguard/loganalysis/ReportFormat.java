package org.mxguard.loganalysis;

import java.io.PrintWriter;

/** The report formats of {@code mxguard analyze --format}. */
public enum ReportFormat {
    TABLE, JSON, CSV, HTML;

    public void write(Analysis analysis, PrintWriter out) {
        switch (this) {
            case TABLE -> TableReport.write(analysis, out);
            case JSON -> JsonReport.write(analysis, out);
            case CSV -> CsvReport.write(analysis, out);
            case HTML -> HtmlReport.write(analysis, out);
        }
    }
}
