package org.mxguard.admin;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The dashboard's charts kept by the server: mail accepted, tempfailed and relayed per minute and
 * the queue size, for the last {@code minutes} minutes, so that a page opened now shows the hours
 * before it. A ring of one slot per minute: memory is fixed (about 32 bytes a minute, 45 KiB for
 * a day) whatever the traffic, and a slot is cleared when the ring comes round to it again.
 *
 * <p>Minutes are the clock's epoch minutes; a slot remembers which minute it holds, so a minute in
 * which nothing happened reads as zero (and the queue as unknown) however long ago the slot was
 * last written. Thread-safe: the counts come from the SMTP sessions and the deliveries.
 */
final class MinuteHistory {

    /** What is counted per minute. */
    enum Series {
        ACCEPTED, TEMPFAILED, RELAYED
    }

    private static final long NONE = -1;

    private final Clock clock;
    private final int minutes;
    private final long firstMinute;
    private final long[] stamps;
    private final long[][] counts;
    private final long[] queue;

    /** @param minutes how many minutes are kept (1440 for a day) */
    MinuteHistory(Clock clock, int minutes) {
        if (minutes < 1) {
            throw new IllegalArgumentException("a history needs at least one minute: " + minutes);
        }
        this.clock = clock;
        this.minutes = minutes;
        this.firstMinute = minute(clock.instant());
        this.stamps = new long[minutes];
        Arrays.fill(stamps, NONE);
        this.counts = new long[Series.values().length][minutes];
        this.queue = new long[minutes];
    }

    /** One more of {@code series} now. */
    synchronized void add(Series series) {
        counts[series.ordinal()][slot(minute(clock.instant()))]++;
    }

    /** The queue's size now; the last size given in a minute is that minute's. */
    synchronized void queue(int size) {
        queue[slot(minute(clock.instant()))] = size;
    }

    /**
     * The minutes from the older of the history's start and {@code minutes} ago, up to the current
     * minute (included, still filling).
     */
    synchronized Snapshot snapshot() {
        long now = minute(clock.instant());
        long from = Math.max(firstMinute, now - minutes + 1);
        int n = (int) Math.max(0, now - from + 1);
        long[][] series = new long[Series.values().length][n];
        List<Long> sizes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long m = from + i;
            int slot = (int) Math.floorMod(m, (long) minutes);
            boolean held = stamps[slot] == m;
            for (Series s : Series.values()) {
                series[s.ordinal()][i] = held ? counts[s.ordinal()][slot] : 0;
            }
            sizes.add(held && queue[slot] != NONE ? queue[slot] : null);
        }
        return new Snapshot(Instant.ofEpochSecond(from * 60), 60, series[Series.ACCEPTED.ordinal()],
                series[Series.TEMPFAILED.ordinal()], series[Series.RELAYED.ordinal()], sizes);
    }

    /** The slot of {@code minute}, cleared first if it still holds an older minute. */
    private int slot(long minute) {
        int slot = (int) Math.floorMod(minute, (long) minutes);
        if (stamps[slot] != minute) {
            stamps[slot] = minute;
            for (long[] c : counts) {
                c[slot] = 0;
            }
            queue[slot] = NONE;
        }
        return slot;
    }

    private static long minute(Instant instant) {
        return Math.floorDiv(instant.getEpochSecond(), 60);
    }

    /**
     * The history, oldest minute first; every array has one value per minute.
     *
     * @param start the first minute's start
     * @param intervalSeconds the length of a sample (60)
     * @param queue the queue size sampled in each minute, null where none was taken
     */
    record Snapshot(Instant start, int intervalSeconds, long[] accepted, long[] tempfailed, long[] relayed,
            List<Long> queue) {
    }
}
