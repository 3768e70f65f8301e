package org.mxguard.loganalysis;

import java.io.PrintWriter;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One self-contained HTML file: inline CSS and SVG charts (messages per day with the null-sender
 * part, the null-sender share, the top proposed sources), no scripts, nothing loaded from outside.
 */
final class HtmlReport {

    private static final int W = 900;
    private static final int H = 220;

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
        out.println("<h2>Messages per day</h2>");
        out.println(dailyChart(a));
        out.println("<h2>Null-sender share per day</h2>");
        out.println(shareChart(a));
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

    private static String dailyChart(Analysis a) {
        List<Map.Entry<Long, long[]>> days = new ArrayList<>(a.daily.entrySet());
        if (days.isEmpty()) {
            return "<p>No messages.</p>";
        }
        long max = days.stream().mapToLong(e -> e.getValue()[0]).max().orElse(1);
        double bw = (double) (W - 60) / days.size();
        StringBuilder s = svgStart();
        for (int i = 0; i < days.size(); i++) {
            long[] v = days.get(i).getValue();
            double x = 50 + i * bw;
            double ht = (H - 40) * (double) v[0] / max;
            double hn = (H - 40) * (double) v[1] / max;
            s.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='#9ab'>"
                    + "<title>%s: %d messages, %d null sender</title></rect>", x, H - 20 - ht, Math.max(1, bw - 1), ht,
                    LocalDate.ofEpochDay(days.get(i).getKey()), v[0], v[1]));
            s.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='#c33'/>", x,
                    H - 20 - hn, Math.max(1, bw - 1), hn));
        }
        s.append(String.format(Locale.ROOT, "<text x='5' y='15'>%d</text><text x='50' y='%d'>%s</text>"
                + "<text x='%d' y='%d' text-anchor='end'>%s</text>", max, H - 5,
                LocalDate.ofEpochDay(days.getFirst().getKey()), W - 10, H - 5,
                LocalDate.ofEpochDay(days.getLast().getKey())));
        s.append("<text x='300' y='15' fill='#c33'>null sender</text><text x='400' y='15' fill='#79a'>all</text>");
        return s.append("</svg>").toString();
    }

    private static String shareChart(Analysis a) {
        List<Map.Entry<Long, long[]>> days = new ArrayList<>(a.daily.entrySet());
        if (days.isEmpty()) {
            return "";
        }
        StringBuilder s = svgStart().append("<polyline fill='none' stroke='#c33' stroke-width='2' points='");
        double step = days.size() == 1 ? 0 : (double) (W - 60) / (days.size() - 1);
        for (int i = 0; i < days.size(); i++) {
            long[] v = days.get(i).getValue();
            double share = v[0] == 0 ? 0 : (double) v[1] / v[0];
            s.append(String.format(Locale.ROOT, "%.1f,%.1f ", 50 + i * step, H - 20 - (H - 40) * share));
        }
        return s.append("'/><text x='5' y='25'>100%</text><text x='5' y='" + (H - 20) + "'>0%</text></svg>")
                .toString();
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

    private static StringBuilder svgStart() {
        return new StringBuilder(String.format(Locale.ROOT,
                "<svg width='%d' height='%d'>", W, H));
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }
}
