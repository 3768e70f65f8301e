package org.mxguard.loganalysis;

import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.List;

/**
 * The string path alone, as {@link BlockParser} takes it for the lines its fast path leaves: each
 * line to {@link LineParser}, a line that breaks it counted and skipped. The reference the fast
 * path is compared with.
 */
final class StringPath {

    private StringPath() {
    }

    static void parse(byte[] b, int length, ZoneId zone, int year, int month, ParseCounters counters,
            List<LogEvent> events) {
        LineParser lines = new LineParser(zone, year, month, counters);
        String text = new String(b, 0, length, StandardCharsets.ISO_8859_1);
        int start = 0;
        while (start < length) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? length : nl;
            int stop = end > start && text.charAt(end - 1) == '\r' ? end - 1 : end;
            try {
                lines.parse(text.substring(start, stop), events);
            } catch (RuntimeException e) {
                counters.skip("unparsable (" + e.getClass().getSimpleName() + ")");
            }
            start = end + 1;
        }
    }
}
