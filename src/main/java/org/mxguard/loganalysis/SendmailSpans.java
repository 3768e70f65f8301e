package org.mxguard.loganalysis;

/**
 * {@link SendmailFields} on bytes: where each {@code key=value} of a sendmail line lies, split the
 * same way (a value ends at {@code ", "} followed by the next {@code key=}, never inside quotes or
 * angle brackets; {@code stat=} and {@code reject=} run to the end), with no string and no
 * allocation per line: one instance per parser, reused. A mirror of {@link SendmailFields}, each
 * marked so, to be changed together; {@code BlockParserTest} compares the byte path that reads
 * through this with the string path that reads through that.
 */
final class SendmailSpans {

    private static final byte[] STAT = {'s', 't', 'a', 't'};
    private static final byte[] REJECT = {'r', 'e', 'j', 'e', 'c', 't'};
    private static final int MAX = 24;
    // Bytes a key may hold; bytes where a value's end must be looked for.
    private static final boolean[] KEY = new boolean[256];
    private static final boolean[] SPECIAL = new boolean[256];

    static {
        for (int c = 0; c < 256; c++) {
            KEY[c] = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-';
        }
        for (char c : new char[] {'"', '\\', '<', '>', ','}) {
            SPECIAL[c] = true;
        }
    }

    private byte[] b;
    // Per field: key start, key end (the '='), value end; the value starts after the '='.
    private final int[] spans = new int[3 * MAX];
    private int count;
    // The '=' of the key that valueEnd found after the value it ended, so split need not look again.
    private int nextEq;

    /** Splits {@code b[from, to)}; false when it has more fields than kept (the string path reads it then). */
    boolean split(byte[] bytes, int from, int to) {
        return split(bytes, from, to, null);
    }

    /**
     * Splits {@code b[from, to)} up to the first field {@code until} (all of it when null): the fields
     * before it, and it, lie where a whole split puts them, and the rest is not looked at.
     */
    boolean split(byte[] bytes, int from, int to, byte[] until) {
        b = bytes;
        count = 0;
        int pos = from;
        nextEq = -1;
        while (pos < to) {
            int eq = nextEq >= 0 ? nextEq : keyEnd(bytes, pos, to);
            if (eq < 0) {
                break;
            }
            boolean last = eq - pos == 4 && same(bytes, pos, STAT) || eq - pos == 6 && same(bytes, pos, REJECT);
            nextEq = -1;
            int end = last ? to : valueEnd(bytes, eq + 1, to);
            if (count == MAX) {
                return false;
            }
            spans[3 * count] = pos;
            spans[3 * count + 1] = eq;
            spans[3 * count + 2] = end;
            count++;
            if (last || until != null && eq - pos == until.length && same(bytes, pos, until)) {
                break;
            }
            pos = end + 2;
        }
        return true;
    }

    /** The field of the first {@code key}, for {@link #start} and {@link #end}; -1 when the line has none. */
    int find(byte[] key) {
        int n = key.length;
        for (int i = 0; i < 3 * count; i += 3) {
            if (spans[i + 1] - spans[i] == n && same(b, spans[i], key)) {
                return i;
            }
        }
        return -1;
    }

    /** Where the value of field {@code i} starts. */
    int start(int i) {
        return spans[i + 1] + 1;
    }

    /** Where the value of field {@code i} ends. */
    int end(int i) {
        return spans[i + 2];
    }

    /**
     * Mirrors {@code SendmailFields.recipients}: the recipients field {@code i} names, 1 for -1. The
     * walk over quotes and angle brackets is {@link #valueEnd}'s, written again: made one method
     * that both call per comma, it made the split of {@code to=} lines 13 % slower
     * ({@code ParseThroughput}, 529 - 581 against 448 - 499 MB per CPU second).
     */
    int recipients(int i) {
        if (i < 0) {
            return 1;
        }
        int n = 1;
        boolean quoted = false;
        int depth = 0;
        for (int k = start(i); k < end(i); k++) {
            if (!SPECIAL[b[k] & 0xff]) {
                continue;
            }
            int c = b[k] & 0xff;
            if (quoted) {
                if (c == '\\') {
                    k++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '<') {
                depth++;
            } else if (c == '>') {
                if (depth > 0) {
                    depth--;
                }
            } else if (c == ',' && depth == 0) {
                n++;
            }
        }
        return n;
    }

    private static boolean same(byte[] b, int at, byte[] key) {
        for (int k = 0; k < key.length; k++) {
            if (b[at + k] != key[k]) {
                return false;
            }
        }
        return true;
    }

    /** Mirrors {@code SendmailFields.keyEnd}. */
    private static int keyEnd(byte[] b, int pos, int to) {
        for (int i = pos; i < to; i++) {
            int c = b[i] & 0xff;
            if (!KEY[c]) {
                return c == '=' && i > pos ? i : -1;
            }
        }
        return -1;
    }

    /** Mirrors {@code SendmailFields.valueEnd}; notes the next key's '=' in {@link #nextEq}. */
    private int valueEnd(byte[] b, int start, int to) {
        boolean quoted = false;
        int depth = 0;
        for (int i = start; i < to; i++) {
            if (!SPECIAL[b[i] & 0xff]) {
                continue;
            }
            int c = b[i] & 0xff;
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '<') {
                depth++;
            } else if (c == '>') {
                if (depth > 0) {
                    depth--;
                }
            } else if (c == ',' && depth == 0 && i + 1 < to && b[i + 1] == ' ') {
                int eq = keyEnd(b, i + 2, to);
                if (eq > 0) {
                    nextEq = eq;
                    return i;
                }
            }
        }
        return to;
    }
}
