package org.mxguard.policy;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Hits and last-hit time per rule, for metrics and {@code policy stats}. Storage is allocated per
 * block of 1024 rules on the first hit in the block: a million rules that never fire cost nothing.
 */
public final class RuleCounters {

    private static final int BLOCK = 1024;
    private final AtomicReferenceArray<AtomicLongArray> blocks;
    private final int rules;

    RuleCounters(int rules) {
        this.rules = rules;
        this.blocks = new AtomicReferenceArray<>((rules + BLOCK - 1) / BLOCK);
    }

    void hit(int rule, long nowMillis) {
        int b = rule / BLOCK;
        AtomicLongArray block = blocks.get(b);
        if (block == null) {
            blocks.compareAndSet(b, null, new AtomicLongArray(2 * BLOCK));
            block = blocks.get(b);
        }
        int i = 2 * (rule % BLOCK);
        block.incrementAndGet(i);
        block.set(i + 1, nowMillis);
    }

    /** How many decisions rule number {@code rule} (0-based, in file order) made. */
    public long hits(int rule) {
        AtomicLongArray block = blocks.get(checked(rule) / BLOCK);
        return block == null ? 0 : block.get(2 * (rule % BLOCK));
    }

    /** When rule number {@code rule} last decided, in epoch milliseconds, or 0 if never. */
    public long lastHitMillis(int rule) {
        AtomicLongArray block = blocks.get(checked(rule) / BLOCK);
        return block == null ? 0 : block.get(2 * (rule % BLOCK) + 1);
    }

    private int checked(int rule) {
        if (rule < 0 || rule >= rules) {
            throw new IndexOutOfBoundsException("rule " + rule + " of " + rules);
        }
        return rule;
    }

    long bytes() {
        long n = 16L + 4L * blocks.length();
        for (int i = 0; i < blocks.length(); i++) {
            n += blocks.get(i) == null ? 0 : 16L * BLOCK;
        }
        return n;
    }
}
