package org.mxguard.loganalysis;

import java.io.PrintWriter;

/** Clients and proposals as CSV rows (RFC 4180), one table: the row kind is the first column. */
final class CsvReport {

    private CsvReport() {
    }

    static void write(Analysis a, PrintWriter out) {
        out.print("row,target,name,score,verdict,clients,null_transactions,transactions,rejects,first,last,evidence\r\n");
        for (Proposal p : a.proposals) {
            out.print(String.join(",", "proposal-" + p.kind().name().toLowerCase(java.util.Locale.ROOT),
                    cell(p.target()), "", String.valueOf(p.score().value()), "proposed", String.valueOf(p.clients()),
                    String.valueOf(p.nullTransactions()), String.valueOf(p.transactions()),
                    String.valueOf(p.rejects()), String.valueOf(p.first()), String.valueOf(p.last()),
                    cell(p.evidence())) + "\r\n");
        }
        for (ClientVerdict v : a.ranked(Integer.MAX_VALUE)) {
            ClientStats c = v.stats;
            out.print(String.join(",", "client", cell(c.ip), cell(c.name == null ? "" : c.name),
                    String.valueOf(v.score.value()), cell(TableReport.verdict(v)), "1",
                    String.valueOf(c.nullTransactions()), String.valueOf(c.transactions()), String.valueOf(c.rejects),
                    String.valueOf(c.first == Long.MAX_VALUE ? 0 : c.first), String.valueOf(c.last),
                    cell(String.join("; ", v.score.parts()))) + "\r\n");
        }
        out.flush();
    }

    static String cell(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
