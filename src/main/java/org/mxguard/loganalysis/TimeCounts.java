package org.mxguard.loganalysis;

import java.util.TreeMap;

/**
 * Messages and null-sender messages per ten minutes of log time, for the charts, which choose
 * their bucket (ten minutes, hour, day, week) from the log's span only once it is read. Kept in an
 * open-addressing table of slots (a year is 52,560 of them, about 1.3 MB), with the last slot at
 * hand: a block's messages mostly fall in the same ten minutes, so a count is nearly always one
 * comparison and two increments.
 */
final class TimeCounts {

    /** Seconds per slot. */
    static final long SLOT = 600;
    private static final long NONE = Long.MIN_VALUE;

    private long[] keys = emptyKeys(1 << 6);
    // Messages and null-sender messages, two per slot.
    private long[] counts = new long[2 << 6];
    private int size;
    private long lastKey = NONE;
    private int lastAt;

    /** Counts a message of time {@code time} (epoch seconds). */
    void count(long time, boolean isNull) {
        long key = Math.floorDiv(time, SLOT);
        int at = key == lastKey ? lastAt : slot(key);
        counts[at]++;
        counts[at + 1] += isNull ? 1 : 0;
    }

    /** Adds another count's slots to this one's. */
    void add(TimeCounts other) {
        for (int i = 0; i < other.keys.length; i++) {
            if (other.keys[i] != NONE) {
                int at = slot(other.keys[i]);
                counts[at] += other.counts[2 * i];
                counts[at + 1] += other.counts[2 * i + 1];
            }
        }
    }

    /** Messages and null-sender messages per slot, by the slot's start (epoch seconds). */
    TreeMap<Long, long[]> bySlot() {
        TreeMap<Long, long[]> all = new TreeMap<>();
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != NONE) {
                all.put(keys[i] * SLOT, new long[] {counts[2 * i], counts[2 * i + 1]});
            }
        }
        return all;
    }

    /** Messages and null-sender messages per UTC day (epoch day). */
    TreeMap<Long, long[]> byDay() {
        TreeMap<Long, long[]> days = new TreeMap<>();
        bySlot().forEach((start, c) -> {
            long[] d = days.computeIfAbsent(Math.floorDiv(start, 86400L), k -> new long[2]);
            d[0] += c[0];
            d[1] += c[1];
        });
        return days;
    }

    /** The index in {@link #counts} of slot {@code key}, made when new. */
    private int slot(long key) {
        int mask = keys.length - 1;
        int i = hash(key) & mask;
        while (keys[i] != key) {
            if (keys[i] == NONE) {
                if (size + 1 > keys.length >> 1) {
                    grow();
                    return slot(key);
                }
                keys[i] = key;
                size++;
                break;
            }
            i = (i + 1) & mask;
        }
        lastKey = key;
        lastAt = 2 * i;
        return lastAt;
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldCounts = counts;
        keys = emptyKeys(oldKeys.length * 2);
        counts = new long[oldCounts.length * 2];
        int mask = keys.length - 1;
        for (int o = 0; o < oldKeys.length; o++) {
            if (oldKeys[o] != NONE) {
                int i = hash(oldKeys[o]) & mask;
                while (keys[i] != NONE) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[o];
                counts[2 * i] = oldCounts[2 * o];
                counts[2 * i + 1] = oldCounts[2 * o + 1];
            }
        }
        lastKey = NONE;
    }

    private static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    private static long[] emptyKeys(int n) {
        long[] k = new long[n];
        java.util.Arrays.fill(k, NONE);
        return k;
    }
}
