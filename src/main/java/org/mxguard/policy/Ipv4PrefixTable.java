package org.mxguard.policy;

import java.util.Arrays;

/**
 * IPv4 networks to rule numbers: one open-addressing hash table keyed by (network, length), probed
 * once per prefix length that can occur at the query's address. Each slot is one long holding the
 * network, the length and the rule number, so a probe touches one cache line.
 *
 * <p>Large tables also keep, per /20 block, a bit per prefix length 20..32 that occurs in the
 * block (and per /16 for lengths 16..19): a query then probes only the lengths its own block has,
 * usually one or two, instead of every length in the rule set. Built once, then read-only.
 */
final class Ipv4PrefixTable {

    /** Rule numbers below this fit in a slot; above it a slot points into {@link #shared}. */
    private static final int DIRECT = 1 << 25;
    private static final int LENGTH_SHIFT = 26;
    private static final long VALUE_MASK = (1L << LENGTH_SHIFT) - 1;

    private final int blockThreshold;
    private long[] slots = new long[16];
    private int size;
    private int[][] shared = new int[4][];
    private int sharedCount;
    private final boolean[] present = new boolean[33];
    private int[] lengths = new int[0];
    /** Lengths below 16, for tables that use the block bitmaps. */
    private int[] shortLengths = new int[0];
    private short[] lengthsIn20;
    private byte[] lengthsIn16;

    Ipv4PrefixTable() {
        this(100_000);
    }

    /** {@code blockThreshold}: from how many networks on the block bitmaps pay for their 2.1 MB. */
    Ipv4PrefixTable(int blockThreshold) {
        this.blockThreshold = blockThreshold;
    }

    int size() {
        return size;
    }

    void add(Cidr network, int rule) {
        if (rule >= DIRECT) {
            throw new IllegalArgumentException("more than " + DIRECT + " rules");
        }
        if ((size + 1) * 2 > slots.length) {
            grow();
        }
        long key = key(network.lo(), network.length());
        int mask = slots.length - 1;
        int i = PrefixHash.mix(key) & mask;
        long s;
        while ((s = slots[i]) != 0) {
            if ((s & ~VALUE_MASK) == key) {
                slots[i] = key | appendShared((int) (s & VALUE_MASK), rule);
                return;
            }
            i = (i + 1) & mask;
        }
        slots[i] = key | rule;
        size++;
        if (!present[network.length()]) {
            present[network.length()] = true;
            lengths = PrefixHash.lengthsOf(present);
            shortLengths = Arrays.stream(lengths).filter(l -> l < 16).toArray();
        }
        if (lengthsIn20 == null && size >= blockThreshold) {
            buildBlocks();
        } else if (lengthsIn20 != null) {
            mark(network.lo(), network.length());
        }
    }

    private void buildBlocks() {
        lengthsIn20 = new short[1 << 20];
        lengthsIn16 = new byte[1 << 16];
        for (long s : slots) {
            if (s != 0) {
                mark(s >>> 32, (int) ((s >>> LENGTH_SHIFT) & 0x3f) - 1);
            }
        }
    }

    private void mark(long network, int length) {
        if (length >= 20) {
            lengthsIn20[(int) (network >>> 12)] |= (short) (1 << (length - 20));
        } else if (length >= 16) {
            lengthsIn16[(int) (network >>> 16)] |= (byte) (1 << (length - 16));
        }
    }

    private int appendShared(int value, int rule) {
        int[] list = value < DIRECT ? new int[] {value} : shared[value - DIRECT];
        if (list[list.length - 1] == rule) {
            return value;
        }
        int[] longer = Arrays.copyOf(list, list.length + 1);
        longer[list.length] = rule;
        if (value >= DIRECT) {
            shared[value - DIRECT] = longer;
            return value;
        }
        if (sharedCount == shared.length) {
            shared = Arrays.copyOf(shared, sharedCount * 2);
        }
        shared[sharedCount] = longer;
        return DIRECT + sharedCount++;
    }

    void collect(long address, CandidateList out) {
        if (lengthsIn20 == null) {
            for (int length : lengths) {
                probe(address, length, out);
            }
            return;
        }
        int bits20 = lengthsIn20[(int) (address >>> 12)] & 0xffff;
        while (bits20 != 0) {
            int length = 20 + Integer.numberOfTrailingZeros(bits20);
            bits20 &= bits20 - 1;
            probe(address, length, out);
        }
        int bits16 = lengthsIn16[(int) (address >>> 16)] & 0xff;
        while (bits16 != 0) {
            int length = 16 + Integer.numberOfTrailingZeros(bits16);
            bits16 &= bits16 - 1;
            probe(address, length, out);
        }
        for (int length : shortLengths) {
            probe(address, length, out);
        }
    }

    private void probe(long address, int length, CandidateList out) {
        long[] t = slots;
        int mask = t.length - 1;
        long key = key(address & Cidr.maskV4(length), length);
        int i = PrefixHash.mix(key) & mask;
        long s;
        while ((s = t[i]) != 0) {
            if ((s & ~VALUE_MASK) == key) {
                int v = (int) (s & VALUE_MASK);
                if (v < DIRECT) {
                    out.add(v, length);
                } else {
                    for (int r : shared[v - DIRECT]) {
                        out.add(r, length);
                    }
                }
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /** Network in the upper 32 bits, length + 1 (never 0, so 0 marks an empty slot) above the value. */
    private static long key(long network, int length) {
        return (network << 32) | ((long) (length + 1) << LENGTH_SHIFT);
    }

    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        int mask = slots.length - 1;
        for (long s : old) {
            if (s != 0) {
                int i = PrefixHash.mix(s & ~VALUE_MASK) & mask;
                while (slots[i] != 0) {
                    i = (i + 1) & mask;
                }
                slots[i] = s;
            }
        }
    }

    long bytes() {
        long blocks = lengthsIn20 == null ? 0 : 2L * lengthsIn20.length + lengthsIn16.length;
        return slots.length * 8L + 16L * sharedCount + blocks;
    }
}
