package org.mxguard.mail;

/**
 * The syntax check Postfix's {@code valid_hostname()} applies to a client's reverse name before it
 * logs or trusts it. The owner of an address controls its PTR record and can put anything in it,
 * brackets and spaces included ({@code a.example[198.51.100.25].evil.example}), to forge what the
 * log shows; only names made of letters, digits, hyphens, underscores and dots pass.
 */
public final class HostName {

    /** RFC 1035 §2.3.4: labels of at most 63 octets; Postfix allows names of 255. */
    private static final int MAX_LABEL = 63;
    private static final int MAX_NAME = 255;

    private HostName() {
    }

    /**
     * True for a host name as Postfix's valid_hostname accepts it: labels of letters, digits,
     * underscores (which Postfix tolerates) and inner hyphens, separated by single dots, no empty,
     * leading or trailing label, not all digits (that would be an address), at most 255 octets.
     */
    public static boolean isValid(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME) {
            return false;
        }
        int label = 0;
        boolean numeric = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean last = i == name.length() - 1;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
                if (++label > MAX_LABEL) {
                    return false;
                }
                if (c < '0' || c > '9') {
                    numeric = false;
                }
            } else if (c == '.') {
                if (label == 0 || last) {
                    return false;
                }
                label = 0;
            } else if (c == '-') {
                numeric = false;
                if (label == 0 || last || name.charAt(i + 1) == '.' || ++label > MAX_LABEL) {
                    return false;
                }
            } else {
                return false;
            }
        }
        return !numeric;
    }
}
