package org.mxguard.loganalysis;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** The whole analysis as one JSON document, for scripts. */
final class JsonReport {

    private JsonReport() {
    }

    static void write(Analysis a, PrintWriter out) {
        out.print("{\"lines\":" + a.counters.lines + ",\"understood\":" + a.counters.parsed + ",\"bytes\":" + a.bytes
                + ",\"seconds\":" + a.seconds + ",\"messages\":" + a.totalMessages() + ",\"nullSenderMessages\":"
                + a.totalNullMessages() + ",\"primaryChecked\":" + a.primaryChecked + ",\"skipped\":{");
        String sep = "";
        for (Map.Entry<String, Long> e : a.counters.skippedByKind().entrySet()) {
            out.print(sep + str(e.getKey()) + ":" + e.getValue());
            sep = ",";
        }
        out.print("},\"errors\":" + strings(a.errors().stream().toList()) + ",\"proposals\":[");
        sep = "";
        for (Proposal p : a.proposals) {
            out.print(sep + "{\"kind\":" + str(p.kind().name().toLowerCase(java.util.Locale.ROOT)) + ",\"target\":"
                    + str(p.target()) + ",\"score\":" + p.score().value() + ",\"why\":" + strings(p.score().parts())
                    + ",\"clients\":" + p.clients() + ",\"nullTransactions\":" + p.nullTransactions()
                    + ",\"transactions\":" + p.transactions() + ",\"rejects\":" + p.rejects() + ",\"first\":"
                    + p.first() + ",\"last\":" + p.last() + ",\"samples\":" + strings(p.samples()) + ",\"evidence\":"
                    + str(p.evidence()) + "}");
            sep = ",";
        }
        out.print("],\"clients\":[");
        sep = "";
        for (ClientVerdict v : a.ranked(Math.max(a.settings.top(), 1000))) {
            ClientStats c = v.stats;
            out.print(sep + "{\"ip\":" + str(c.ip) + ",\"name\":" + (c.name == null ? "null" : str(c.name))
                    + ",\"score\":" + v.score.value() + ",\"why\":" + strings(v.score.parts()) + ",\"dynamic\":"
                    + v.dynamic.dynamic() + ",\"dynamicReasons\":" + strings(v.dynamic.reasons()) + ",\"verdict\":"
                    + str(TableReport.verdict(v)) + ",\"connects\":" + c.connects + ",\"messages\":" + c.messages
                    + ",\"nullMessages\":" + c.nullMessages + ",\"recipients\":" + c.recipients + ",\"delivered\":"
                    + c.delivered + ",\"deferred\":" + c.deferred + ",\"bounced\":" + c.bounced + ",\"rejects\":"
                    + c.rejects + ",\"nullRejects\":" + c.nullRejects + ",\"rules\":{");
            String s2 = "";
            for (Map.Entry<String, Long> r : c.rules().entrySet()) {
                out.print(s2 + str(r.getKey()) + ":" + r.getValue());
                s2 = ",";
            }
            out.print("},\"loggedBy\":" + strings(List.copyOf(c.loggedBy())) + ",\"first\":"
                    + (c.first == Long.MAX_VALUE ? 0 : c.first) + ",\"last\":" + c.last + "}");
            sep = ",";
        }
        out.println("]}");
        out.flush();
    }

    static String strings(List<String> list) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < list.size(); i++) {
            b.append(i == 0 ? "" : ",").append(str(list.get(i)));
        }
        return b.append(']').toString();
    }

    /** A JSON string literal (RFC 8259 §7). */
    static String str(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
