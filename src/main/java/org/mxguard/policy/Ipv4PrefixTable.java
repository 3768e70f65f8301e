package org.mxguard.policy;

import java.util.Arrays;

/**
 * IPv4 networks to rule numbers, as a sorted list of address intervals. Networks nest or are
 * disjoint, so their boundaries cut the address space into intervals inside which the set of
 * networks holding an address does not change; each interval stores the rules of that set in rule
 * order. A lookup is then one search for the interval that holds the address, however many
 * network lengths the rules use.
 *
 * <p>An interval's list stops at its first <em>terminal</em> rule (a rule whose only condition is
 * the network, with no expiry): that rule matches whenever it is reached, so no later rule of the
 * list can decide. With the usual "one network, one verdict" rules every interval holds at most one
 * rule, inline in its entry, and a decision reads no list.
 *
 * <p>Large tables add a direct table indexed by the top bits of the address: a block that no
 * interval boundary crosses holds its answer inline, so most lookups read one cache line, and the
 * others search only the few entries of their block. Filled by {@link #add}, then {@link #freeze}
 * builds the read-only form.
 */
final class Ipv4PrefixTable {

    /** Rule numbers must fit in 25 bits. */
    private static final int MAX_RULES = 1 << 25;
    private static final int TERMINAL = 1 << 25;
    private static final int RULE_MASK = (1 << 25) - 1;
    /** An interval value: 0 for no rule; class << 25 | rule for one; ~index into lists for more. */
    private static final int NONE = 0;
    /** Second long of a direct entry: one or two boundaries inline (the sign bit set for two), or search. */
    private static final long ONE = 1L << 62;
    private static final long TWO = 2L << 62;
    private static final long SEARCH = 3L << 62;
    private static final int MAX_BLOCK_BITS = 20;

    /**
     * A value's class (its top bits) gives the network length and, for terminal rules, the rule's
     * body: classes 1 to 33 are lengths 0 to 32 without a body, later ones (length, body) pairs as
     * they occur, while they last.
     */
    private final int[] classLength = new int[64];
    private final int[] classBody = new int[64];
    private int classCount;
    /** While filling: per rule, its body + 1 when terminal, else 0. */
    private int[] ruleBody = new int[16];
    private final int directThreshold;
    private final int forcedBits;
    /** While filling: network << 32 | length << 26 | terminal << 25 | rule, network's top bit flipped. */
    private long[] pending = new long[16];
    private int size;
    /** Interval start << 32 | value, sorted by start; the first interval starts at 0. */
    private long[] intervals = {0};
    /** For values that are lists: count, then each rule as class << 25 | rule. */
    private int[] lists = new int[0];
    private long[] direct;
    private int blockShift;

    Ipv4PrefixTable() {
        this(1 << 16);
    }

    /** {@code directThreshold}: from how many intervals the direct table pays for itself. */
    Ipv4PrefixTable(int directThreshold) {
        this(directThreshold, 0);
    }

    /** With a given number of block bits (up to 20), for tests of the inline entries on small tables. */
    Ipv4PrefixTable(int directThreshold, int blockBits) {
        this.directThreshold = directThreshold;
        this.forcedBits = blockBits;
    }

    int size() {
        return size;
    }

    /**
     * Adds a network of a rule; {@code terminal} when the network is the rule's only condition and
     * the rule never expires. Rules are added in rule order.
     */
    void add(Cidr network, int rule, boolean terminal) {
        add(network, rule, terminal, -1);
    }

    /**
     * As {@link #add(Cidr, int, boolean)}, with the body of a terminal rule (or -1): values then
     * carry it, so a decision by such a rule needs nothing from the rule's own record.
     */
    void add(Cidr network, int rule, boolean terminal, int body) {
        if (rule >= MAX_RULES) {
            throw new IllegalArgumentException("more than " + MAX_RULES + " rules");
        }
        if (pending == null) {
            throw new IllegalStateException("table already built");
        }
        if (size == pending.length) {
            pending = Arrays.copyOf(pending, size * 2);
        }
        if (body >= 0 && terminal) {
            if (rule >= ruleBody.length) {
                ruleBody = Arrays.copyOf(ruleBody, Math.max(rule + 1, ruleBody.length * 2));
            }
            ruleBody[rule] = body + 1;
        }
        pending[size++] = ((network.lo() ^ 0x80000000L) << 32) | ((long) network.length() << 26)
                | (terminal ? TERMINAL : 0) | rule;
    }

    /** Builds the intervals (and the direct table if large); no {@link #add} after this. */
    void freeze() {
        if (pending == null) {
            return;
        }
        for (int c = 1; c <= 33; c++) {
            classLength[c] = c - 1;
            classBody[c] = -1;
        }
        classCount = 34;
        long[] p = pending;
        int n = size;
        pending = null;
        Arrays.sort(p, 0, n);
        new Sweep(p, n).run();
        ruleBody = null;
        if (intervals.length >= directThreshold) {
            buildDirect();
        }
    }

    /** Walks the sorted networks with a stack of the networks that hold the current address. */
    private final class Sweep {
        private final long[] sorted;
        private final int n;
        private long[] out = new long[16];
        private int outCount;
        private int[] listOut = new int[16];
        private int listCount;
        /** Per stack level: the end (inclusive) of its network, and its range in sorted. */
        private long[] ends = new long[34];
        private int[] from = new int[34];
        private int[] to = new int[34];
        private int depth;
        private int[] scratch = new int[16];

        Sweep(long[] sorted, int n) {
            this.sorted = sorted;
            this.n = n;
        }

        void run() {
            emit(0, NONE);
            int i = 0;
            while (i < n) {
                long head = sorted[i] & ~((1L << 26) - 1);
                int j = i + 1;
                while (j < n && (sorted[j] & ~((1L << 26) - 1)) == head) {
                    j++;
                }
                long start = (sorted[i] >>> 32) ^ 0x80000000L;
                int length = (int) (sorted[i] >>> 26) & 0x3f;
                long end = start + (1L << (32 - length)) - 1;
                popBefore(start);
                ends[depth] = end;
                from[depth] = i;
                to[depth] = j;
                depth++;
                emit(start, covering());
                i = j;
            }
            popBefore(1L << 32);
            intervals = Arrays.copyOf(out, outCount);
            lists = Arrays.copyOf(listOut, listCount);
        }

        private void popBefore(long start) {
            while (depth > 0 && ends[depth - 1] < start) {
                long next = ends[depth - 1] + 1;
                depth--;
                if (next <= 0xffffffffL) {
                    emit(next, covering());
                }
            }
        }

        /** The rules of the stack in rule order, up to the first terminal one, as a value. */
        private int covering() {
            if (depth == 0) {
                return NONE;
            }
            int k = 0;
            for (int d = 0; d < depth; d++) {
                int length = (int) (sorted[from[d]] >>> 26) & 0x3f;
                for (int r = from[d]; r < to[d]; r++) {
                    if (k == scratch.length) {
                        scratch = Arrays.copyOf(scratch, k * 2);
                    }
                    int low = (int) sorted[r];
                    int rule = low & RULE_MASK;
                    boolean terminal = (low & TERMINAL) != 0;
                    scratch[k] = rule;
                    int body = terminal && rule < ruleBody.length ? ruleBody[rule] - 1 : -1;
                    classAndFlag(k++, classOf(length, body), terminal);
                }
            }
            return encode(k);
        }

        /** Beside each rule in scratch: class << 1 | terminal. */
        private int[] meta = new int[16];

        private void classAndFlag(int at, int valueClass, boolean terminal) {
            if (at >= meta.length) {
                meta = Arrays.copyOf(meta, Math.max(at + 1, meta.length * 2));
            }
            meta[at] = valueClass << 1 | (terminal ? 1 : 0);
        }

        private int classOf(int length, int body) {
            if (body >= 0) {
                for (int c = 34; c < classCount; c++) {
                    if (classLength[c] == length && classBody[c] == body) {
                        return c;
                    }
                }
                if (classCount < classLength.length) {
                    classLength[classCount] = length;
                    classBody[classCount] = body;
                    return classCount++;
                }
            }
            return length + 1;
        }

        private int encode(int k) {
            if (k == 1) {
                return (meta[0] >>> 1) << 25 | scratch[0];
            }
            // Few entries: insertion sort by rule, carrying the length and flag along.
            for (int a = 1; a < k; a++) {
                int r = scratch[a];
                int m = meta[a];
                int b = a - 1;
                while (b >= 0 && scratch[b] > r) {
                    scratch[b + 1] = scratch[b];
                    meta[b + 1] = meta[b];
                    b--;
                }
                scratch[b + 1] = r;
                meta[b + 1] = m;
            }
            int keep = 0;
            while (keep < k) {
                keep++;
                if ((meta[keep - 1] & 1) != 0) {
                    break;
                }
            }
            if (keep == 1) {
                return (meta[0] >>> 1) << 25 | scratch[0];
            }
            int at = listCount;
            if (listCount + keep + 1 > listOut.length) {
                listOut = Arrays.copyOf(listOut, Math.max(listOut.length * 2, listCount + keep + 1));
            }
            listOut[listCount++] = keep;
            for (int a = 0; a < keep; a++) {
                listOut[listCount++] = (meta[a] >>> 1) << 25 | scratch[a];
            }
            return ~at;
        }

        private void emit(long start, int value) {
            if (outCount > 0) {
                long last = out[outCount - 1];
                if ((last >>> 32) == start) {
                    outCount--;
                    if (outCount > 0 && (int) out[outCount - 1] == value) {
                        return;
                    }
                } else if ((int) last == value) {
                    return;
                }
            }
            if (outCount == out.length) {
                out = Arrays.copyOf(out, outCount * 2);
            }
            out[outCount++] = start << 32 | (value & 0xffffffffL);
        }
    }

    private void buildDirect() {
        int bits = forcedBits > 0 ? forcedBits
                : Math.min(MAX_BLOCK_BITS, 32 - Integer.numberOfLeadingZeros(intervals.length));
        blockShift = 32 - bits;
        boolean inline = blockShift <= 15;
        long[] d = new long[2 << bits];
        long[] t = intervals;
        // Only the blocks with more than two boundaries keep their intervals, in block order.
        long[] overflow = new long[16];
        int kept = 0;
        int i = 0;
        for (int b = 0; b < 1 << bits; b++) {
            long start = (long) b << blockShift;
            long end = start + (1L << blockShift) - 1;
            // i: the last interval starting at or before the block's start.
            while (i + 1 < t.length && (t[i + 1] >>> 32) <= start) {
                i++;
            }
            int j = i;
            while (j + 1 < t.length && (t[j + 1] >>> 32) <= end) {
                j++;
            }
            int inside = j - i;
            long v0 = t[i] & 0xffffffffL;
            if (inside == 0) {
                d[2 * b] = v0;
            } else if (inline && inside <= 2) {
                d[2 * b] = v0 | t[i + 1] << 32;
                long k1 = (t[i + 1] >>> 32) - start;
                d[2 * b + 1] = inside == 1 ? ONE | k1 << 32
                        : TWO | k1 << 32 | ((t[i + 2] >>> 32) - start) << 47 | (t[i + 2] & 0xffffffffL);
            } else {
                if (kept + inside + 1 > overflow.length) {
                    overflow = Arrays.copyOf(overflow, Math.max(overflow.length * 2, kept + inside + 1));
                }
                System.arraycopy(t, i, overflow, kept, inside + 1);
                d[2 * b] = (long) inside << 32 | kept;
                d[2 * b + 1] = SEARCH;
                kept += inside + 1;
            }
        }
        direct = d;
        intervals = Arrays.copyOf(overflow, kept);
    }

    /** The value of the interval that holds {@code address}: see {@link #single} to read it. */
    int lookup(long address) {
        long[] t = intervals;
        int lo;
        int hi;
        long[] d = direct;
        if (d != null) {
            int x = (int) (address >>> blockShift) << 1;
            // One 16-byte entry, so one cache line: most blocks hold their answer inline.
            long e0 = d[x];
            long e1 = d[x + 1];
            if (e1 != SEARCH) {
                if (e1 == 0) {
                    return (int) e0;
                }
                long offset = address & ((1L << blockShift) - 1);
                if (e1 < 0 && offset >= (e1 >>> 47 & 0x7fff)) {
                    return (int) e1;
                }
                return offset >= (e1 >>> 32 & 0x7fff) ? (int) (e0 >>> 32) : (int) e0;
            }
            lo = (int) e0;
            hi = lo + (int) (e0 >>> 32);
            if (hi - lo <= 4) {
                while (lo < hi && (t[lo + 1] >>> 32) <= address) {
                    lo++;
                }
                return (int) t[lo];
            }
        } else {
            lo = 0;
            hi = t.length - 1;
        }
        // The last interval in [lo, hi] that starts at or before the address; t[lo] always does.
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if ((t[mid] >>> 32) <= address) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return (int) t[lo];
    }

    /** True when a value holds one rule (or none): {@link #rule} and {@link #length} read it. */
    static boolean single(int value) {
        return value >= 0;
    }

    static int rule(int single) {
        return single & RULE_MASK;
    }

    int length(int single) {
        return classLength[single >>> 25];
    }

    /** The body of the terminal rule of a single value, or -1 when the rule's record says. */
    int body(int single) {
        return classBody[single >>> 25];
    }

    /** Adds the rules of a value that is a list ({@code value < 0}) to {@code out}. */
    void addList(int value, CandidateList out) {
        int at = ~value;
        int[] l = lists;
        for (int k = 1; k <= l[at]; k++) {
            out.add(rule(l[at + k]), length(l[at + k]));
        }
    }

    long bytes() {
        return intervals.length * 8L + lists.length * 4L + (direct == null ? 0 : direct.length * 8L);
    }
}
