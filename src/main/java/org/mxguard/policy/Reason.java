package org.mxguard.policy;

import java.util.StringJoiner;

/**
 * Why a rule refused, for {@code policy check} and reports: the rule's own words, its conditions
 * as written, or the client network it matched ("client 192.0.2.0/24"). Conditions and networks
 * are put into words only when the reason is read: the SMTP session logs the reply and the rule,
 * never the reason, and formatting a network on every decision cost about a sixth of the
 * decision's time, while a rendered copy of every rule's conditions cost heap. Equal when the
 * texts are equal.
 */
public abstract sealed class Reason permits Reason.Words, Reason.Conditions, Reason.Network {

    private Reason() {
    }

    /** A reason in words; null for null. */
    public static Reason of(String text) {
        return text == null ? null : new Words(text);
    }

    /** The conditions of a rule, as written, joined by spaces. */
    static Reason conditions(Condition[] conditions) {
        return new Conditions(conditions);
    }

    /** "client NETWORK": the network of length {@code length} that holds the address (hi, lo). */
    static Reason client(boolean v4, long hi, long lo, int length) {
        return v4 ? new Network(true, 0, lo & Cidr.maskV4(length), length)
                : new Network(false, hi & Cidr.maskHi(length), lo & Cidr.maskLo(length), length);
    }

    @Override
    public abstract String toString();

    @Override
    public final boolean equals(Object o) {
        return o instanceof Reason r && toString().equals(r.toString());
    }

    @Override
    public final int hashCode() {
        return toString().hashCode();
    }

    static final class Words extends Reason {
        private final String text;

        Words(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    static final class Conditions extends Reason {
        private final Condition[] conditions;

        Conditions(Condition[] conditions) {
            this.conditions = conditions;
        }

        @Override
        public String toString() {
            StringJoiner text = new StringJoiner(" ");
            for (Condition c : conditions) {
                text.add(c.render());
            }
            return text.toString();
        }
    }

    static final class Network extends Reason {
        private final boolean v4;
        private final long hi;
        private final long lo;
        private final int length;

        Network(boolean v4, long hi, long lo, int length) {
            this.v4 = v4;
            this.hi = hi;
            this.lo = lo;
            this.length = length;
        }

        @Override
        public String toString() {
            return v4 ? Cidr.describeV4("client ", lo, length) : "client " + new Cidr(false, hi, lo, length);
        }
    }
}
