package org.mxguard.policy;

import java.util.Arrays;

/**
 * Rule numbers an index offered for one query, each with the prefix length it was found under
 * (-1 for name indexes), so that a hit can say which network matched.
 */
final class CandidateList {

    private int[] rules = new int[4];
    private int[] lengths = new int[4];
    private int size;

    void add(int rule, int length) {
        if (size == rules.length) {
            rules = Arrays.copyOf(rules, size * 2);
            lengths = Arrays.copyOf(lengths, size * 2);
        }
        rules[size] = rule;
        lengths[size] = length;
        size++;
    }

    /** Adds name-index rules (no network length) to {@code list}, made if null; returns it. */
    static CandidateList addAll(CandidateList list, int[] values) {
        CandidateList out = list == null ? new CandidateList() : list;
        for (int v : values) {
            out.add(v, -1);
        }
        return out;
    }

    int size() {
        return size;
    }

    int rule(int i) {
        return rules[i];
    }

    int length(int i) {
        return lengths[i];
    }

    /** Sorts by rule number: candidates are few, so insertion sort. */
    void sort() {
        for (int i = 1; i < size; i++) {
            int r = rules[i];
            int l = lengths[i];
            int j = i - 1;
            while (j >= 0 && rules[j] > r) {
                rules[j + 1] = rules[j];
                lengths[j + 1] = lengths[j];
                j--;
            }
            rules[j + 1] = r;
            lengths[j + 1] = l;
        }
    }
}
