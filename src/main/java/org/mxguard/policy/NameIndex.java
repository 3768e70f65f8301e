package org.mxguard.policy;

import java.util.Arrays;

/**
 * Names to rule numbers: exact names in one table, subtrees in another keyed by the parent, so a
 * lookup probes the name and each of its parents. The hashes of all parents of a name come from
 * one right-to-left pass (String.hashCode's polynomial, suffix by suffix) and keys are compared in
 * place, so a lookup allocates nothing whatever the number of labels or rules.
 */
final class NameIndex {

    /** An open-addressing table from names to rule lists. */
    private static final class Table {
        private String[] keys = new String[16];
        private int[] hashes = new int[16];
        private int[][] values = new int[16][];
        private int size;

        void add(String key, int rule) {
            if ((size + 1) * 2 > keys.length) {
                grow();
            }
            int h = key.hashCode();
            int mask = keys.length - 1;
            int i = PrefixHash.mix(h) & mask;
            while (keys[i] != null) {
                if (hashes[i] == h && keys[i].equals(key)) {
                    int[] list = values[i];
                    if (list[list.length - 1] != rule) {
                        int[] longer = Arrays.copyOf(list, list.length + 1);
                        longer[list.length] = rule;
                        values[i] = longer;
                    }
                    return;
                }
                i = (i + 1) & mask;
            }
            keys[i] = key;
            hashes[i] = h;
            values[i] = new int[] {rule};
            size++;
        }

        /** The rules under {@code name.substring(from)}, whose hashCode is {@code h}; null if none. */
        int[] get(String name, int from, int h) {
            int mask = keys.length - 1;
            int i = PrefixHash.mix(h) & mask;
            int length = name.length() - from;
            String k;
            while ((k = keys[i]) != null) {
                if (hashes[i] == h && k.length() == length && name.regionMatches(from, k, 0, length)) {
                    return values[i];
                }
                i = (i + 1) & mask;
            }
            return null;
        }

        private void grow() {
            String[] ok = keys;
            int[] oh = hashes;
            int[][] ov = values;
            keys = new String[ok.length * 2];
            hashes = new int[ok.length * 2];
            values = new int[ok.length * 2][];
            int mask = keys.length - 1;
            for (int j = 0; j < ok.length; j++) {
                if (ok[j] != null) {
                    int i = PrefixHash.mix(oh[j]) & mask;
                    while (keys[i] != null) {
                        i = (i + 1) & mask;
                    }
                    keys[i] = ok[j];
                    hashes[i] = oh[j];
                    values[i] = ov[j];
                }
            }
        }
    }

    private final Table exact = new Table();
    private final Table below = new Table();

    void add(String name, boolean subtree, int rule) {
        (subtree ? below : exact).add(name, rule);
    }

    boolean isEmpty() {
        return exact.size == 0 && below.size == 0;
    }

    /**
     * Adds the rules under {@code name} and its parents to {@code out}, made on the first hit when
     * null; returns it (still null when nothing matched, so a miss allocates nothing).
     */
    CandidateList collect(String name, CandidateList out) {
        if (name == null) {
            return out;
        }
        if (exact.size > 0) {
            int[] hit = exact.get(name, 0, name.hashCode());
            if (hit != null) {
                out = CandidateList.addAll(out, hit);
            }
        }
        if (below.size == 0) {
            return out;
        }
        // h is the hashCode of name.substring(i); 31^k tracks the weight of the next character.
        int h = 0;
        int power = 1;
        for (int i = name.length() - 1; i > 0; i--) {
            h += name.charAt(i) * power;
            power *= 31;
            if (name.charAt(i - 1) == '.') {
                int[] hit = below.get(name, i, h);
                if (hit != null) {
                    out = CandidateList.addAll(out, hit);
                }
            }
        }
        return out;
    }
}
