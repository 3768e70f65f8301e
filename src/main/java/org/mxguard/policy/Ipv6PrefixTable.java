package org.mxguard.policy;

import java.util.Arrays;

/** The IPv6 twin of {@link Ipv4PrefixTable}: keys are (upper 64 bits, lower 64 bits, length). */
final class Ipv6PrefixTable {

    private long[] his = new long[16];
    private long[] los = new long[16];
    private byte[] lens = new byte[16];
    private int[] values = new int[16];
    private int size;
    private int[][] shared = new int[4][];
    private int sharedCount;
    private final boolean[] present = new boolean[129];
    private int[] lengths = new int[0];

    int size() {
        return size;
    }

    void add(Cidr network, int rule) {
        if ((size + 1) * 2 > lens.length) {
            grow();
        }
        int mask = lens.length - 1;
        byte len = (byte) (network.length() + 1);
        int i = PrefixHash.mix(network.hi(), network.lo(), len) & mask;
        while (lens[i] != 0) {
            if (lens[i] == len && his[i] == network.hi() && los[i] == network.lo()) {
                values[i] = appendShared(values[i], rule);
                return;
            }
            i = (i + 1) & mask;
        }
        his[i] = network.hi();
        los[i] = network.lo();
        lens[i] = len;
        values[i] = rule;
        size++;
        if (!present[network.length()]) {
            present[network.length()] = true;
            lengths = PrefixHash.lengthsOf(present);
        }
    }

    private int appendShared(int value, int rule) {
        int[] list = value >= 0 ? new int[] {value} : shared[-value - 1];
        if (list[list.length - 1] == rule) {
            return value;
        }
        int[] longer = Arrays.copyOf(list, list.length + 1);
        longer[list.length] = rule;
        if (value < 0) {
            shared[-value - 1] = longer;
            return value;
        }
        if (sharedCount == shared.length) {
            shared = Arrays.copyOf(shared, sharedCount * 2);
        }
        shared[sharedCount] = longer;
        return -(++sharedCount);
    }

    /**
     * Adds the rules of every network holding the address to {@code out}, made on the first hit
     * when null; returns it (still null when nothing matched, so a miss allocates nothing).
     */
    CandidateList collect(long hi, long lo, CandidateList out) {
        int mask = lens.length - 1;
        for (int length : lengths) {
            long h = hi & Cidr.maskHi(length);
            long l = lo & Cidr.maskLo(length);
            byte len = (byte) (length + 1);
            int i = PrefixHash.mix(h, l, len) & mask;
            while (lens[i] != 0) {
                if (lens[i] == len && his[i] == h && los[i] == l) {
                    if (out == null) {
                        out = new CandidateList();
                    }
                    int v = values[i];
                    if (v >= 0) {
                        out.add(v, length);
                    } else {
                        for (int r : shared[-v - 1]) {
                            out.add(r, length);
                        }
                    }
                    break;
                }
                i = (i + 1) & mask;
            }
        }
        return out;
    }

    private void grow() {
        long[] oh = his;
        long[] ol = los;
        byte[] on = lens;
        int[] ov = values;
        int cap = on.length * 2;
        his = new long[cap];
        los = new long[cap];
        lens = new byte[cap];
        values = new int[cap];
        int mask = cap - 1;
        for (int j = 0; j < on.length; j++) {
            if (on[j] != 0) {
                int i = PrefixHash.mix(oh[j], ol[j], on[j]) & mask;
                while (lens[i] != 0) {
                    i = (i + 1) & mask;
                }
                his[i] = oh[j];
                los[i] = ol[j];
                lens[i] = on[j];
                values[i] = ov[j];
            }
        }
    }

    long bytes() {
        return lens.length * 21L + 16L * sharedCount;
    }
}
