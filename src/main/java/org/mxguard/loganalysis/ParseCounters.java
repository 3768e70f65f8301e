package org.mxguard.loganalysis;

import java.util.Map;

/** Lines read and lines skipped, by kind. One per parsing thread; merged at the end. */
final class ParseCounters {

    private final Map<String, long[]> skipped = new java.util.HashMap<>();
    long lines;
    long parsed;

    void skip(String kind) {
        skipped.computeIfAbsent(kind, k -> new long[1])[0]++;
    }

    /** The counter of one kind of skipped line, for a caller that counts it often ({@code slot[0]++}). */
    long[] slot(String kind) {
        return skipped.computeIfAbsent(kind, k -> new long[1]);
    }

    void add(ParseCounters other) {
        lines += other.lines;
        parsed += other.parsed;
        other.skipped.forEach((k, v) -> skipped.computeIfAbsent(k, x -> new long[1])[0] += v[0]);
    }

    long skippedTotal() {
        return skipped.values().stream().mapToLong(v -> v[0]).sum();
    }

    /** Skipped lines by kind, most frequent first. */
    Map<String, Long> skippedByKind() {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        skipped.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
                .forEach(e -> out.put(e.getKey(), e.getValue()[0]));
        return out;
    }
}
