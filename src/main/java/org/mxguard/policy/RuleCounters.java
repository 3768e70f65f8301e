package org.mxguard.policy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Hits and last-hit time per rule, for metrics and {@code policy stats}. They live in the rule
 * set's per-rule records, beside the long a hit reads anyway ({@link RuleSet#STRIDE} longs per
 * rule: meta, hits, last hit): one cache line per rule, no allocation on the first hit.
 */
public final class RuleCounters {

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private final long[] records;
    private final int rules;

    RuleCounters(long[] records, int rules) {
        this.records = records;
        this.rules = rules;
    }

    void hit(int rule, long nowMillis) {
        int i = rule * RuleSet.STRIDE;
        // Plain (opaque) reads and writes, not a locked add: a decision by a network rule no longer
        // reads the rule's record, so the line is often not in cache, and a locked add would hold
        // the thread until it arrives. The price: two sessions hitting the same rule in the same
        // few nanoseconds may count one hit; fine for metrics and policy stats.
        LONGS.setOpaque(records, i + 1, (long) LONGS.getOpaque(records, i + 1) + 1);
        LONGS.setOpaque(records, i + 2, nowMillis);
    }

    /** How many decisions rule number {@code rule} (0-based, in file order) made. */
    public long hits(int rule) {
        return (long) LONGS.getOpaque(records, checked(rule) * RuleSet.STRIDE + 1);
    }

    /** When rule number {@code rule} last decided, in epoch milliseconds, or 0 if never. */
    public long lastHitMillis(int rule) {
        return (long) LONGS.getOpaque(records, checked(rule) * RuleSet.STRIDE + 2);
    }

    private int checked(int rule) {
        if (rule < 0 || rule >= rules) {
            throw new IndexOutOfBoundsException("rule " + rule + " of " + rules);
        }
        return rule;
    }

    /** The counters' share of the records (two of the three longs per rule). */
    long bytes() {
        return 16L * rules;
    }
}
