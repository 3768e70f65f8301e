package org.mxguard.loganalysis;

import java.util.HashMap;
import java.util.Map;

/**
 * Splits sendmail's {@code key=value, key=value} list the way sendmail writes it: a value ends at
 * {@code ", "} followed by the next {@code key=}, but never inside quotes or angle brackets (an
 * address such as {@code <"a, relay=x [1.2.3.4]"@b>} stays one value), and {@code stat=} and
 * {@code reject=}, which sendmail always writes last, run to the end of the line.
 */
final class SendmailFields {

    private SendmailFields() {
    }

    static Map<String, String> parse(String s, int from, int to) {
        Map<String, String> fields = new HashMap<>(16);
        int pos = from;
        while (pos < to) {
            int eq = keyEnd(s, pos, to);
            if (eq < 0) {
                break;
            }
            String key = s.substring(pos, eq);
            int valueStart = eq + 1;
            if (key.equals("stat") || key.equals("reject")) {
                fields.putIfAbsent(key, s.substring(valueStart, to));
                break;
            }
            int end = valueEnd(s, valueStart, to);
            fields.putIfAbsent(key, s.substring(valueStart, end));
            pos = end + 2;
        }
        return fields;
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
