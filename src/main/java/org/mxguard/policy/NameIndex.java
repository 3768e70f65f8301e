package org.mxguard.policy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Names to rule numbers: exact names in one hash, subtrees in another keyed by the parent, so a
 * lookup probes the name and each of its parents (a few probes, whatever the number of rules).
 */
final class NameIndex {

    private final Map<String, int[]> exact = new HashMap<>();
    private final Map<String, int[]> below = new HashMap<>();

    void add(String name, boolean subtree, int rule) {
        (subtree ? below : exact).merge(name, new int[] {rule}, NameIndex::append);
    }

    private static int[] append(int[] list, int[] one) {
        if (list[list.length - 1] == one[0]) {
            return list;
        }
        int[] longer = Arrays.copyOf(list, list.length + 1);
        longer[list.length] = one[0];
        return longer;
    }

    boolean isEmpty() {
        return exact.isEmpty() && below.isEmpty();
    }

    int size() {
        return exact.size() + below.size();
    }

    void collect(String name, CandidateList out) {
        if (name == null) {
            return;
        }
        int[] hit = exact.get(name);
        if (hit != null) {
            out.addAll(hit);
        }
        if (below.isEmpty()) {
            return;
        }
        for (int dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
            hit = below.get(name.substring(dot + 1));
            if (hit != null) {
                out.addAll(hit);
            }
        }
    }
}
