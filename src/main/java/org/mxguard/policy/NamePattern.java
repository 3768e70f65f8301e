package org.mxguard.policy;

import java.net.IDN;
import java.util.Locale;

/**
 * A host or domain name in a rule: {@code mail.example.org} matches that name only,
 * {@code .dialup.isp.example} matches every name below it (not the name itself), as in Postfix
 * access tables. The special value {@code unknown} matches a client whose reverse name was not
 * forward-confirmed.
 *
 * @param name the name in lower case, without leading or trailing dot
 * @param subtree true for the names below {@code name}
 */
public record NamePattern(String name, boolean subtree) {

    public static final String UNKNOWN = "unknown";

    public static NamePattern parse(String text) {
        boolean subtree = text.startsWith(".");
        String s = subtree ? text.substring(1) : text;
        return new NamePattern(canonical(s, text), subtree);
    }

    /**
     * A name in lower-case ASCII without a trailing dot. Lenient on purpose (underscores pass),
     * because reverse names and HELO names in the wild are not always valid host names.
     */
    static String canonical(String s, String original) {
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        if (!s.chars().allMatch(c -> c < 128)) {
            try {
                s = IDN.toASCII(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a domain name: " + original, e);
            }
        }
        s = s.toLowerCase(Locale.ROOT);
        if (s.isEmpty() || s.length() > 253) {
            throw new IllegalArgumentException("not a domain name: " + original);
        }
        int labelLength = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.') {
                if (labelLength == 0) {
                    throw new IllegalArgumentException("empty label in domain name: " + original);
                }
                labelLength = 0;
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
                labelLength++;
                if (labelLength > 63) {
                    throw new IllegalArgumentException("label longer than 63 characters: " + original);
                }
            } else {
                throw new IllegalArgumentException("not a domain name: " + original);
            }
        }
        if (labelLength == 0) {
            throw new IllegalArgumentException("empty label in domain name: " + original);
        }
        return s;
    }

    /** Whether a canonical (lower-case, no trailing dot) name matches. */
    public boolean matches(String host) {
        if (host == null) {
            return false;
        }
        if (!subtree) {
            return host.equals(name);
        }
        int n = host.length() - name.length();
        return n > 1 && host.endsWith(name) && host.charAt(n - 1) == '.';
    }

    public boolean isUnknown() {
        return !subtree && name.equals(UNKNOWN);
    }

    @Override
    public String toString() {
        return subtree ? "." + name : name;
    }
}
