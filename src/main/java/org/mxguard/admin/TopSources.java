package org.mxguard.admin;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sources refused most often, in a table of at most {@code capacity} entries whatever the
 * number of sources (Metwally, Agrawal and El Abbadi's Space-Saving, 2005): a new source when the
 * table is full takes the place of the least counted one and inherits its count as its
 * {@code error}. A source's {@code caught} is therefore never below its true count and at most
 * {@code error} above it, and any source refused more than total/capacity times is in the table.
 * With fewer sources than the capacity every count is exact.
 *
 * <p>Thread-safe. Finding the least counted entry scans the table, which happens only when a new
 * source arrives at a full table: a few hundred comparisons against a refusal's SMTP round trips.
 */
final class TopSources {

    private final int capacity;
    private final Map<String, Counts> table = new HashMap<>();

    TopSources(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.capacity = capacity;
    }

    /** One refusal of {@code source} at {@code time}, temporary (4xx) or permanent (5xx). */
    synchronized void add(String source, boolean temporary, Instant time) {
        Counts c = table.get(source);
        if (c == null) {
            long inherited = 0;
            if (table.size() >= capacity) {
                Map.Entry<String, Counts> least = table.entrySet().stream()
                        .min(Comparator.comparingLong(e -> e.getValue().caught)).orElseThrow();
                table.remove(least.getKey());
                inherited = least.getValue().caught;
            }
            c = new Counts(inherited);
            table.put(source, c);
        }
        c.caught++;
        if (temporary) {
            c.tempfailed++;
        } else {
            c.rejected++;
        }
        c.last = time;
    }

    /** The {@code n} sources caught most often, most first (ties by name). */
    synchronized List<Entry> top(int n) {
        List<Entry> all = new ArrayList<>(table.size());
        table.forEach((source, c) -> all.add(new Entry(source, c.caught, c.tempfailed, c.rejected, c.error, c.last)));
        all.sort(Comparator.comparingLong(Entry::caught).reversed().thenComparing(Entry::source));
        return List.copyOf(all.subList(0, Math.min(n, all.size())));
    }

    /**
     * One source.
     *
     * @param caught refusals counted for it, {@code error} included
     * @param tempfailed the 4xx refusals seen since it entered the table
     * @param rejected the 5xx refusals seen since it entered the table
     * @param error how much of {@code caught} may belong to sources it displaced (0: exact)
     * @param last its latest refusal
     */
    record Entry(String source, long caught, long tempfailed, long rejected, long error, Instant last) {
    }

    private static final class Counts {
        private final long error;
        private long caught;
        private long tempfailed;
        private long rejected;
        private Instant last;

        Counts(long inherited) {
            this.error = inherited;
            this.caught = inherited;
        }
    }
}
