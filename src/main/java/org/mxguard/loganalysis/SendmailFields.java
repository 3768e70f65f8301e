package org.mxguard.loganalysis;

import java.util.Arrays;

/**
 * Splits sendmail's {@code key=value, key=value} list the way sendmail writes it: a value ends at
 * {@code ", "} followed by the next {@code key=}, but never inside quotes or angle brackets (an
 * address such as {@code <"a, relay=x [1.2.3.4]"@b>} stays one value), and {@code stat=} and
 * {@code reject=}, which sendmail always writes last, run to the end of the line. A key given
 * twice keeps its first value. The split only notes where each key and value lie: a value becomes
 * a string when it is asked for (a line has eight or so fields, the join reads two or three).
 * {@link SendmailSpans} is its byte twin, for {@link BlockParser}: a change here is made there too.
 */
final class SendmailFields {

    private final String s;
    // Per field: key start, key end (the '='), value end; the value starts after the '='.
    private int[] spans = new int[3 * 12];
    private int count;

    private SendmailFields(String s) {
        this.s = s;
    }

    static SendmailFields parse(String s, int from, int to) {
        SendmailFields fields = new SendmailFields(s);
        int pos = from;
        while (pos < to) {
            int eq = keyEnd(s, pos, to);
            if (eq < 0) {
                break;
            }
            int valueStart = eq + 1;
            boolean last = eq - pos == 4 && s.startsWith("stat", pos) || eq - pos == 6 && s.startsWith("reject", pos);
            int end = last ? to : valueEnd(s, valueStart, to);
            fields.add(pos, eq, end);
            if (last) {
                break;
            }
            pos = end + 2;
        }
        return fields;
    }

    private void add(int keyStart, int eq, int valueEnd) {
        if (3 * count == spans.length) {
            spans = Arrays.copyOf(spans, spans.length * 2);
        }
        spans[3 * count] = keyStart;
        spans[3 * count + 1] = eq;
        spans[3 * count + 2] = valueEnd;
        count++;
    }

    /** The first value of {@code key}, or null when the line has none. */
    String get(String key) {
        int i = find(key);
        return i < 0 ? null : s.substring(spans[i + 1] + 1, spans[i + 2]);
    }

    boolean containsKey(String key) {
        return find(key) >= 0;
    }

    private int find(String key) {
        int n = key.length();
        for (int i = 0; i < 3 * count; i += 3) {
            if (spans[i + 1] - spans[i] == n && s.startsWith(key, spans[i])) {
                return i;
            }
        }
        return -1;
    }

    /** Index of the {@code =} ending a key at {@code pos}, or -1 when no key starts there. */
    private static int keyEnd(String s, int pos, int to) {
        int i = pos;
        while (i < to) {
            char c = s.charAt(i);
            if (c == '=') {
                return i > pos ? i : -1;
            }
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
                return -1;
            }
            i++;
        }
        return -1;
    }

    /**
     * How many recipients the value of {@code key} names: sendmail delivers the recipients of a
     * message that go to the same host in one connection and logs them on one line,
     * {@code to=<a@x>,<b@x>}; the commas outside quotes and angle brackets separate them. 1 when the
     * line has no such key. {@link SendmailSpans#recipients} is its byte twin. The walk over quotes
     * and brackets is {@link #valueEnd}'s, written again as the byte twin must (see there).
     */
    int recipients(String key) {
        int i = find(key);
        if (i < 0) {
            return 1;
        }
        int n = 1;
        boolean quoted = false;
        int depth = 0;
        for (int k = spans[i + 1] + 1; k < spans[i + 2]; k++) {
            char c = s.charAt(k);
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

    private static int valueEnd(String s, int start, int to) {
        boolean quoted = false;
        int depth = 0;
        for (int i = start; i < to; i++) {
            char c = s.charAt(i);
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
            } else if (c == ',' && depth == 0 && i + 1 < to && s.charAt(i + 1) == ' ' && keyEnd(s, i + 2, to) > 0) {
                return i;
            }
        }
        return to;
    }
}
