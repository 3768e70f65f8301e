package org.mxguard.policy;

/**
 * Why a rule refused, for {@code policy check} and reports: the rule's own words, or the client
 * network it matched ("client 192.0.2.0/24"). A network is put into words only when the reason is
 * read: the SMTP session logs the reply and the rule, never the reason, and formatting a network on
 * every decision cost about a sixth of the decision's time. Equal when the texts are equal.
 */
public final class Reason {

    private static final String CLIENT = "client ";

    private final boolean v4;
    private final long hi;
    private final long lo;
    private final int length;
    /** The text, made on first read when a network; a racy cache is fine, a String is immutable. */
    private String text;

    private Reason(String text) {
        this.text = text;
        this.v4 = false;
        this.hi = 0;
        this.lo = 0;
        this.length = -1;
    }

    private Reason(boolean v4, long hi, long lo, int length) {
        this.v4 = v4;
        this.hi = hi;
        this.lo = lo;
        this.length = length;
    }

    /** A reason in words; null for null. */
    public static Reason of(String text) {
        return text == null ? null : new Reason(text);
    }

    /** "client NETWORK": the network of length {@code length} that holds the address (hi, lo). */
    static Reason client(boolean v4, long hi, long lo, int length) {
        return v4 ? new Reason(true, 0, lo & Cidr.maskV4(length), length)
                : new Reason(false, hi & Cidr.maskHi(length), lo & Cidr.maskLo(length), length);
    }

    @Override
    public String toString() {
        String t = text;
        if (t == null) {
            t = v4 ? Cidr.describeV4(CLIENT, lo, length) : CLIENT + new Cidr(false, hi, lo, length);
            text = t;
        }
        return t;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Reason r && toString().equals(r.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
