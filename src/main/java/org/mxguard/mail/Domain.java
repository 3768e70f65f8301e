package org.mxguard.mail;

import java.net.IDN;
import java.util.Locale;

/**
 * A DNS domain name in canonical form: ASCII (IDN U-labels converted to A-labels, RFC 5890),
 * lower case, without a trailing dot. Comparing two {@code Domain}s is comparing the names
 * mail is routed by, so "Example.ORG.", "example.org" and their IDN forms are equal.
 *
 * @param name the canonical name
 */
public record Domain(String name) {

    public Domain {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("empty domain");
        }
    }

    /**
     * Parses a domain as written by a user or a client: case, a trailing dot and U-labels are
     * normalised. Rejects anything that is not a syntactically valid host name.
     */
    public static Domain parse(String text) {
        String s = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty domain");
        }
        String ascii;
        try {
            ascii = IDN.toASCII(s, IDN.USE_STD3_ASCII_RULES);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a valid domain name: " + text, e);
        }
        ascii = ascii.toLowerCase(Locale.ROOT);
        if (ascii.length() > 253) {
            throw new IllegalArgumentException("domain name longer than 253 octets: " + text);
        }
        for (String label : ascii.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63) {
                throw new IllegalArgumentException("not a valid domain name: " + text);
            }
        }
        return new Domain(ascii);
    }

    /** True if this is {@code other} or lies below it: "a.b.example" is within "example". */
    public boolean isWithin(Domain other) {
        return name.equals(other.name)
                || (name.length() > other.name.length() && name.endsWith(other.name)
                        && name.charAt(name.length() - other.name.length() - 1) == '.');
    }

    /** The parent domain, or null for a top-level name. */
    public Domain parent() {
        int dot = name.indexOf('.');
        return dot < 0 ? null : new Domain(name.substring(dot + 1));
    }

    @Override
    public String toString() {
        return name;
    }
}
