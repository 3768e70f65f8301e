package org.mxguard.policy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Hits and last-hit time per rule, for metrics and {@code policy stats}. They live in the rule
 * set's per-rule records, beside the long a hit reads anyway ({@link RuleSet#STRIDE} longs per
 * rule: meta, hits, last hit): counting a hit then touches a cache line that is already loaded,
 * instead of a line of its own that a million-rule set has little chance of holding in cache.
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
        // Atomic, so concurrent sessions never lose a hit; the line is in cache after the meta read.
        LONGS.getAndAdd(records, i + 1, 1L);
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
