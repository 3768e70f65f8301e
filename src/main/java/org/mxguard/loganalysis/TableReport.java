package org.mxguard.loganalysis;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/** The terminal report: a summary, the proposed rules with their evidence, the top clients. */
final class TableReport {

    private TableReport() {
    }

    static void write(Analysis a, PrintWriter out) {
        long messages = a.totalMessages();
        long nulls = a.totalNullMessages();
        out.printf(Locale.ROOT, "Read %,d lines (%,d MB) in %.1f s: %,d understood, %,d skipped.%n", a.counters.lines,
                a.bytes >> 20, a.seconds, a.counters.parsed, a.counters.skippedTotal());
        out.printf(Locale.ROOT, "%,d clients, %,d messages, %,d with the null sender (%s).%n", a.clients.size(),
                messages, nulls, percent(nulls, messages));
        if (a.primaryChecked) {
            out.printf(Locale.ROOT, "Primary MX log: %,d client addresses seen there; they are not proposed.%n",
                    a.primaryClients);
        } else {
            out.println("No primary MX log given (--primary-log): cannot tell who skipped the primary.");
        }
        out.println();
        out.println("Proposed rules (the smallest source that holds the offenders and no legitimate client):");
        if (a.proposals.isEmpty()) {
            out.println("  none");
        }
        int n = 0;
        for (Proposal p : a.proposals) {
            if (++n > a.settings.top()) {
                out.printf(Locale.ROOT, "  ... %d more (see --format json or --emit-rules)%n",
                        a.proposals.size() - a.settings.top());
                break;
            }
            out.printf(Locale.ROOT, "%3d. %-8s %-40s score %3d  null %s of %,d%n", n,
                    p.kind().name().toLowerCase(Locale.ROOT), p.target(), p.score().value(),
                    percent(p.nullTransactions(), p.transactions()), p.transactions());
            out.println("       " + p.evidence());
            out.println("       why: " + String.join("; ", p.score().parts()));
        }
        out.println();
        out.println("Top clients by score:");
        out.printf(Locale.ROOT, "  %5s  %-58s %9s %6s %5s  %s%n", "score", "client", "null/all", "refused", "dyn",
                "verdict");
        for (ClientVerdict v : a.ranked(a.settings.top())) {
            ClientStats c = v.stats;
            String who = (c.name == null ? "unknown" : c.name) + " [" + c.ip + "]";
            out.printf(Locale.ROOT, "  %5d  %-58s %9s %6d %5s  %s%n", v.score.value(), abbreviate(who, 58),
                    c.nullTransactions() + "/" + c.transactions(), c.rejects, v.dynamic.dynamic() ? "yes" : "no",
                    verdict(v));
        }
        if (a.counters.skippedTotal() > 0) {
            out.println();
            out.println("Skipped lines by kind (top 10):");
            int k = 0;
            for (Map.Entry<String, Long> e : a.counters.skippedByKind().entrySet()) {
                if (++k > 10) {
                    break;
                }
                out.printf(Locale.ROOT, "  %,10d  %s%n", e.getValue(), e.getKey());
            }
        }
        for (ParallelScanner.ReadError e : a.errors) {
            out.println("error: " + e);
        }
        out.flush();
    }

    static String verdict(ClientVerdict v) {
        if (v.contactedPrimary) {
            return "contacted primary: likely legitimate";
        }
        if (v.offender) {
            return "offender";
        }
        return v.legitimate ? "legitimate traffic" : "no mail";
    }

    static String percent(long part, long whole) {
        return whole == 0 ? "0%" : Math.round(100.0 * part / whole) + "%";
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : "..." + s.substring(s.length() - max + 3);
    }
}
