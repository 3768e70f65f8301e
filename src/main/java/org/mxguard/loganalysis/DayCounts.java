package org.mxguard.loganalysis;

import java.util.TreeMap;

/**
 * Messages and null-sender messages per day, for the charts. Days index an array, about a year
 * either side of the first one counted: no branch depends on the day changing, which a compiled
 * joining loop would otherwise meet for the first time hours into a log, and be thrown away for.
 * Days outside it are kept in a map.
 */
final class DayCounts {

    private static final int DAYS = 800;

    private final TreeMap<Long, long[]> outside = new TreeMap<>();
    // Messages and null-sender messages per day, from firstDay on.
    private long[] counts = new long[0];
    private long firstDay;

    /** Counts a message of time {@code time} (epoch seconds). */
    void count(long time, boolean isNull) {
        long day = Math.floorDiv(time, 86400L);
        long i = day - firstDay;
        if (i < 0 || i >= counts.length >> 1) {
            if (counts.length == 0) {
                firstDay = day - DAYS / 2;
                counts = new long[2 * DAYS];
                i = DAYS / 2;
            } else {
                add(day, 1, isNull ? 1 : 0);
                return;
            }
        }
        int at = 2 * (int) i;
        counts[at]++;
        counts[at + 1] += isNull ? 1 : 0;
    }

    /** Adds another count's days to this one's. */
    void add(DayCounts other) {
        other.byDay().forEach((day, c) -> add(day, c[0], c[1]));
    }

    private void add(long day, long messages, long nulls) {
        long[] c = outside.computeIfAbsent(day, k -> new long[2]);
        c[0] += messages;
        c[1] += nulls;
    }

    /** Messages and null-sender messages per day (epoch day). */
    TreeMap<Long, long[]> byDay() {
        TreeMap<Long, long[]> all = new TreeMap<>();
        outside.forEach((d, c) -> all.put(d, c.clone()));
        for (int i = 0; i < counts.length / 2; i++) {
            if (counts[2 * i] > 0) {
                long[] c = all.computeIfAbsent(firstDay + i, k -> new long[2]);
                c[0] += counts[2 * i];
                c[1] += counts[2 * i + 1];
            }
        }
        return all;
    }
}
