package org.mxguard.policy;

/**
 * Hits and last-hit time per rule, for metrics and {@code policy stats}. They live in the rule
 * set's per-rule records, beside the meta long ({@link RuleSet#STRIDE} longs per rule: meta, hits,
 * last hit): no allocation on the first hit.
 *
 * <p>A decision does not touch the record: at a million rules its line is rarely in cache, and
 * the core would stall on that miss once its reorder window filled. It appends the rule number
 * to a small buffer, one of a few stripes chosen by the thread's id, and a full buffer is folded
 * into the records in one pass whose misses overlap. Every getter folds the pending buffers
 * first, so a read sees every hit recorded before it on the same thread (and, through the stripe
 * locks, every hit that happened before it on any thread): counts are exact.
 */
public final class RuleCounters {

    /** Hits a stripe holds before it is folded: enough misses in flight to overlap, still in L1. */
    static final int BATCH = 64;

    private final long[] records;
    private final int rules;
    private final Stripe[] stripes;
    private final int mask;
    /** Held while folding: two stripes folding at once must not both add to one count. */
    private final Object fold = new Object();

    RuleCounters(long[] records, int rules) {
        this.records = records;
        this.rules = rules;
        // A few stripes per core keep sessions on different carriers apart; a power of two so
        // that choosing one is a mask.
        int n = Integer.highestOneBit(Math.max(4, Runtime.getRuntime().availableProcessors() * 4));
        this.stripes = new Stripe[Math.min(n, 64)];
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Stripe();
        }
        this.mask = stripes.length - 1;
    }

    void hit(int rule, long nowMillis) {
        Stripe s = stripes[(int) Thread.currentThread().threadId() & mask];
        synchronized (s) {
            int n = s.size;
            s.rules[n] = rule;
            s.times[n] = nowMillis;
            if (++n == BATCH) {
                foldLocked(s, n);
                n = 0;
            }
            s.size = n;
        }
    }

    /** How many decisions rule number {@code rule} (0-based, in file order) made. */
    public long hits(int rule) {
        int i = checked(rule) * RuleSet.STRIDE + 1;
        flush();
        synchronized (fold) {
            return records[i];
        }
    }

    /** When rule number {@code rule} last decided, in epoch milliseconds, or 0 if never. */
    public long lastHitMillis(int rule) {
        int i = checked(rule) * RuleSet.STRIDE + 2;
        flush();
        synchronized (fold) {
            return records[i];
        }
    }

    private void flush() {
        for (Stripe s : stripes) {
            // An unlocked look first: a reader of a quiet rule set takes no lock. The thread's
            // own hits are always visible to it, and another thread's are once they happened
            // before this read.
            if (s.size != 0) {
                synchronized (s) {
                    foldLocked(s, s.size);
                    s.size = 0;
                }
            }
        }
    }

    /** Called with {@code s} locked. */
    private void foldLocked(Stripe s, int n) {
        long[] r = records;
        int[] rs = s.rules;
        long[] ts = s.times;
        synchronized (fold) {
            // Independent read-modify-writes of unrelated lines: the core keeps many misses in
            // flight at once instead of waiting for each.
            for (int k = 0; k < n; k++) {
                int i = rs[k] * RuleSet.STRIDE;
                r[i + 1]++;
                // Stripes fold in any order; the latest time wins.
                r[i + 2] = Math.max(r[i + 2], ts[k]);
            }
        }
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

    private static final class Stripe {
        final int[] rules = new int[BATCH];
        final long[] times = new long[BATCH];
        int size;
    }
}
