package org.mxguard.loganalysis;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * One self-contained HTML file: inline CSS and SVG charts (messages per bucket of time with the
 * null-sender part, the null-sender share, the top proposed sources; the bucket fits the log's
 * span, see {@link ChartBuckets}), no scripts, nothing loaded from outside.
 */
final class HtmlReport {

    private static final int W = 900;
    private static final int H = 220;
    // The width of an axis label, in pixels, at most.
    private static final int LABEL = 130;

    private HtmlReport() {
    }

    static void write(Analysis a, PrintWriter out) {
        out.println("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>mxguard analyze</title>");
        out.println("<style>body{font:14px sans-serif;margin:2em;color:#222}table{border-collapse:collapse}"
                + "td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}"
                + "th{background:#eee}.n{text-align:right}svg{background:#fafafa;border:1px solid #ddd}"
                + "small{color:#555}</style></head><body>");
        out.printf(Locale.ROOT, "<h1>Null-sender mail through the backup MX</h1><p>%,d lines, %,d clients, %,d "
                + "messages, %,d with the null sender (%s).%s</p>%n", a.counters.lines, a.clients.size(),
                a.totalMessages(), a.totalNullMessages(), TableReport.percent(a.totalNullMessages(), a.totalMessages()),
                a.primaryChecked ? " Primary MX log read: proposed sources never contacted the primary." : "");
        ChartBuckets chart = ChartBuckets.of(a.slots, a.settings.zone());
        out.printf(Locale.ROOT, "<h2>Messages per %s</h2>%n", chart.unit().title);
        out.println(volumeChart(chart));
        out.printf(Locale.ROOT, "<h2>Null-sender share per %s</h2>%n", chart.unit().title);
        out.println(shareChart(chart));
        out.println("<h2>Top proposed sources</h2>");
        out.println(topChart(a));
        out.println("<table><tr><th>#</th><th>target</th><th>score</th><th>evidence</th><th>why</th></tr>");
        int n = 0;
        for (Proposal p : a.proposals) {
            out.printf(Locale.ROOT, "<tr><td class=n>%d</td><td>%s</td><td class=n>%d</td><td>%s</td><td><small>%s"
                    + "</small></td></tr>%n", ++n, esc(p.target()), p.score().value(), esc(p.evidence()),
                    esc(String.join("; ", p.score().parts())));
        }
        out.println("</table><h2>Top clients</h2><table><tr><th>score</th><th>client</th><th>null/all</th>"
                + "<th>verdict</th><th>why</th></tr>");
        for (ClientVerdict v : a.ranked(a.settings.top())) {
            out.printf(Locale.ROOT, "<tr><td class=n>%d</td><td>%s [%s]</td><td class=n>%d/%d</td><td>%s</td>"
                    + "<td><small>%s</small></td></tr>%n", v.score.value(),
                    esc(v.stats.name == null ? "unknown" : v.stats.name), esc(v.stats.ip),
                    v.stats.nullTransactions(), v.stats.transactions(), esc(TableReport.verdict(v)),
                    esc(String.join("; ", v.score.parts())));
        }
        out.println("</table></body></html>");
        out.flush();
    }

    /** Messages per bucket, the null-sender part of each bar in red. */
    private static String volumeChart(ChartBuckets chart) {
        List<ChartBuckets.Bucket> buckets = chart.buckets();
        if (buckets.isEmpty()) {
            return "<p>No messages.</p>";
        }
        long max = Math.max(1, buckets.stream().mapToLong(ChartBuckets.Bucket::messages).max().orElse(1));
        double bw = (double) (W - 60) / buckets.size();
        StringBuilder s = svgStart("messages");
        for (int i = 0; i < buckets.size(); i++) {
            ChartBuckets.Bucket b = buckets.get(i);
            double x = 50 + i * bw;
            double ht = (H - 40) * (double) b.messages() / max;
            double hn = (H - 40) * (double) b.nullMessages() / max;
            s.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='#9ab'>"
                    + "<title>%s: %d messages, %d null sender</title></rect>", x, H - 20 - ht, Math.max(1, bw - 1), ht,
                    esc(b.label()), b.messages(), b.nullMessages()));
            s.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='#c33'/>", x,
                    H - 20 - hn, Math.max(1, bw - 1), hn));
        }
        s.append(String.format(Locale.ROOT, "<text x='5' y='15'>%d</text>", max));
        axis(s, buckets);
        s.append("<text x='300' y='15' fill='#c33'>null sender</text><text x='400' y='15' fill='#79a'>all</text>");
        return s.append("</svg>").toString();
    }

    /** The null-sender share of each bucket that has messages, as bars (a lone bucket still shows). */
    private static String shareChart(ChartBuckets chart) {
        List<ChartBuckets.Bucket> buckets = chart.buckets();
        if (buckets.isEmpty()) {
            return "";
        }
        double bw = (double) (W - 60) / buckets.size();
        StringBuilder s = svgStart("null-sender share");
        for (int i = 0; i < buckets.size(); i++) {
            ChartBuckets.Bucket b = buckets.get(i);
            if (b.messages() == 0) {
                continue;
            }
            double h = (H - 40) * b.nullShare();
            s.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='#c33'>"
                    + "<title>%s: %s null sender (%d of %d)</title></rect>", 50 + i * bw, H - 20 - h,
                    Math.max(1, bw - 1), h, esc(b.label()), TableReport.percent(b.nullMessages(), b.messages()),
                    b.nullMessages(), b.messages()));
        }
        s.append("<text x='5' y='25'>100%</text><text x='5' y='" + (H - 20) + "'>0%</text>");
        axis(s, buckets);
        return s.append("</svg>").toString();
    }

    /** Labels under the bars: the first, the last, and up to four between them. */
    private static void axis(StringBuilder s, List<ChartBuckets.Bucket> buckets) {
        int n = buckets.size();
        double bw = (double) (W - 60) / n;
        int step = Math.max(1, (n + 4) / 5);
        for (int i = 0; i < n; i += step) {
            // Room for the last label, which ends at the right edge.
            if (i > 0 && (n - 1 - i) * bw < 2 * LABEL) {
                break;
            }
            s.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' font-size='11'>%s</text>", 50 + i * bw, H - 5,
                    esc(buckets.get(i).label())));
        }
        if (n > 1) {
            s.append(String.format(Locale.ROOT, "<text x='%d' y='%d' font-size='11' text-anchor='end'>%s</text>",
                    W - 10, H - 5, esc(buckets.get(n - 1).label())));
        }
    }

    private static String topChart(Analysis a) {
        List<Proposal> top = a.proposals.stream().limit(15).toList();
        if (top.isEmpty()) {
            return "<p>No source to block.</p>";
        }
        long max = top.stream().mapToLong(Proposal::nullTransactions).max().orElse(1);
        int h = 20 * top.size() + 10;
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "<svg width='%d' height='%d'>", W, h));
        for (int i = 0; i < top.size(); i++) {
            Proposal p = top.get(i);
            double w = (W - 360) * (double) p.nullTransactions() / Math.max(1, max);
            s.append(String.format(Locale.ROOT, "<text x='5' y='%d'>%s</text><rect x='300' y='%d' width='%.1f' "
                    + "height='14' fill='#c33'/><text x='%.1f' y='%d'>%d</text>", 20 * i + 18, esc(p.target()),
                    20 * i + 6, w, 305 + w, 20 * i + 18, p.nullTransactions()));
        }
        return s.append("</svg>").toString();
    }

    private static StringBuilder svgStart(String label) {
        return new StringBuilder(String.format(Locale.ROOT,
                "<svg width='%d' height='%d' role='img' aria-label='%s'>", W, H, label));
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }
}
