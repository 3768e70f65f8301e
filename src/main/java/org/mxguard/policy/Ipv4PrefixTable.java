package org.mxguard.policy;

import java.util.Arrays;

/**
 * IPv4 networks to rule numbers: one open-addressing hash table keyed by (network, length), probed
 * once per prefix length that occurs in the rules. Real rule sets use a handful of lengths
 * (/8, /16, /24, /32 ...), so a lookup is a handful of probes whatever the number of rules, at
 * about 24 bytes per network. Built once, then read-only (published through a final field).
 */
final class Ipv4PrefixTable {

    private long[] keys = new long[16];
    private int[] values = new int[16];
    private int size;
    private int[][] shared = new int[4][];
    private int sharedCount;
    private boolean[] present = new boolean[33];
    private int[] lengths = new int[0];

    int size() {
        return size;
    }

    void add(Cidr network, int rule) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        long key = key(network.lo(), network.length());
        int mask = keys.length - 1;
        int i = PrefixHash.mix(key) & mask;
        while (keys[i] != 0) {
            if (keys[i] == key) {
                values[i] = appendShared(values[i], rule);
                return;
            }
            i = (i + 1) & mask;
        }
        keys[i] = key;
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

    void collect(long address, CandidateList out) {
        long[] k = keys;
        int mask = k.length - 1;
        for (int length : lengths) {
            long key = key(address & Cidr.maskV4(length), length);
            int i = PrefixHash.mix(key) & mask;
            long found;
            while ((found = k[i]) != 0) {
                if (found == key) {
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
    }

    private static long key(long network, int length) {
        // length + 1 keeps every key non-zero, so 0 marks an empty slot.
        return (network << 8) | (length + 1);
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        int mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] != 0) {
                int i = PrefixHash.mix(oldKeys[j]) & mask;
                while (keys[i] != 0) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                values[i] = oldValues[j];
            }
        }
    }

    long bytes() {
        return keys.length * 8L + values.length * 4L + 16L * sharedCount;
    }
}
