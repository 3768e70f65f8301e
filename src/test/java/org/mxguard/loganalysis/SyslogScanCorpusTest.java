package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * SyslogScan (1996, sendmail 8.7) dumped what it parsed from each line of its test syslog; those
 * dumps are the answer key for the sendmail parser's {@code from=} and {@code to=} fields.
 */
class SyslogScanCorpusTest {

    private static final Pattern ATTR = Pattern.compile("^ {9}'(\\w+)' => (?:'(.*)'|(\\S+))$");
    private static final Pattern RAW = Pattern.compile("^ {6}'raw' => '(.*)'$");

    @Test
    void everyDumpedFieldMatches() throws IOException {
        List<String> ref = Fail2banCorpusTest.read("/maillogs/syslogscan/SyslogEntryTest.ref");
        Map<String, String> attrs = new LinkedHashMap<>();
        List<String> differences = new ArrayList<>();
        int compared = 0;
        for (String line : ref) {
            Matcher a = ATTR.matcher(line);
            Matcher r = RAW.matcher(line);
            if (line.matches("^ {3}\\d+ +SyslogScan::.*")) {
                attrs.clear();
            } else if (a.matches()) {
                attrs.put(a.group(1), a.group(2) != null ? unescape(a.group(2)) : a.group(3));
            } else if (r.matches() && attrs.containsKey("from") || r.matches() && attrs.containsKey("to")) {
                compared += compare(unescape(r.group(1)), attrs, differences);
            }
        }
        assertThat(differences).isEmpty();
        assertThat(compared).isGreaterThan(100);
    }

    /** Perl's dump writes a single quote inside a quoted string as a backslash and a quote. */
    private static String unescape(String perl) {
        return perl.replace("\\'", "'");
    }

    private static int compare(String raw, Map<String, String> expected, List<String> differences) {
        List<LogEvent> events = new ArrayList<>();
        new LineParser(ZoneOffset.UTC, 1996, 12, new ParseCounters()).parse(raw, events);
        if (events.size() != 1) {
            differences.add("no event from " + raw);
            return 0;
        }
        Map<String, String> got = new LinkedHashMap<>();
        switch (events.getFirst()) {
            case LogEvent.From f -> {
                got.put("from", f.sender());
                got.put("size", String.valueOf(f.size()));
                got.put("nrcpts", String.valueOf(f.nrcpts()));
                got.put("msgid", f.msgid());
                got.put("proto", f.proto());
                got.put("relay", f.clientIp() == null ? f.clientName()
                        : (f.clientName() == null ? "" : f.clientName() + " ") + "[" + f.clientIp() + "]");
            }
            case LogEvent.To t -> {
                got.put("to", t.recipient());
                got.put("mailer", t.mailer());
                got.put("relay", t.relay());
                got.put("stat", t.stat());
            }
            default -> differences.add("unexpected " + events.getFirst());
        }
        int n = 0;
        for (Map.Entry<String, String> e : got.entrySet()) {
            String want = expected.get(e.getKey());
            String have = e.getValue();
            if (e.getKey().equals("relay") && want != null && have != null) {
                want = want.replace(". [", " [");
                have = have.replace(". [", " [");
            }
            if (e.getKey().equals("to") && want != null && have != null) {
                // SyslogScan rewrites single quotes in recipients to double quotes (docs/analyzer.md).
                have = have.replace('\'', '"');
            }
            if (want == null && have == null) {
                continue;
            }
            n++;
            // SyslogScan lowercases the sender (see docs/analyzer.md); the analyzer keeps it as logged.
            boolean same = e.getKey().equals("from") ? want != null && want.equalsIgnoreCase(have) : want != null
                    && want.equals(have);
            if (!same) {
                differences.add(e.getKey() + ": expected " + want + " got " + have + " in " + raw);
            }
        }
        return n;
    }
}
