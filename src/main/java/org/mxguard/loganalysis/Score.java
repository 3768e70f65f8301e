package org.mxguard.loganalysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A score from 0 to 100 that explains itself: each part names the evidence and its points, such
 * as {@code null sender in 57 of 57 (+35)}. The parts are put into words when first read: every
 * client is scored, but the reports show the parts of a few, and wording tens of thousands of
 * them was most of the time the ranking took.
 */
public final class Score {

    private final int value;
    private final long nullTx;
    private final long tx;
    private final double dynamicShare;
    private final double unnamedShare;
    private final long rejects;
    private final boolean primaryChecked;
    private final long primaryContacts;
    private final long clients;
    private volatile List<String> parts;

    /** A score given as it is, parts and all. */
    public Score(int value, List<String> parts) {
        this(value, List.copyOf(parts), 0, 0, 0, 0, 0, false, 0, 0);
    }

    private Score(int value, List<String> parts, long nullTx, long tx, double dynamicShare, double unnamedShare,
            long rejects, boolean primaryChecked, long primaryContacts, long clients) {
        this.value = value;
        this.parts = parts;
        this.nullTx = nullTx;
        this.tx = tx;
        this.dynamicShare = dynamicShare;
        this.unnamedShare = unnamedShare;
        this.rejects = rejects;
        this.primaryChecked = primaryChecked;
        this.primaryContacts = primaryContacts;
        this.clients = clients;
    }

    /**
     * Scores a client or a group of clients.
     *
     * @param nullTx null-sender transactions (accepted or refused)
     * @param tx all transactions
     * @param dynamicShare share of the clients whose name looks dial-up
     * @param unnamedShare share of the clients without a reverse name
     * @param rejects refused transactions
     * @param primaryChecked whether a primary MX log was read
     * @param primaryContacts clients that contacted the primary
     * @param clients clients in the group (1 for one client)
     */
    static Score of(long nullTx, long tx, double dynamicShare, double unnamedShare, long rejects,
            boolean primaryChecked, long primaryContacts, long clients) {
        int value = Math.min(100, explain(nullTx, tx, dynamicShare, unnamedShare, rejects, primaryChecked,
                primaryContacts, clients, null));
        return new Score(value, null, nullTx, tx, dynamicShare, unnamedShare, rejects, primaryChecked,
                primaryContacts, clients);
    }

    /** The sum of the parts, at most 100. */
    public int value() {
        return value;
    }

    /** One line per piece of evidence, with its points. */
    public List<String> parts() {
        List<String> p = parts;
        if (p == null) {
            List<String> out = new ArrayList<>();
            explain(nullTx, tx, dynamicShare, unnamedShare, rejects, primaryChecked, primaryContacts, clients, out);
            p = List.copyOf(out);
            parts = p;
        }
        return p;
    }

    /** The points, and the words for them when {@code out} is not null: one walk for both. */
    private static int explain(long nullTx, long tx, double dynamicShare, double unnamedShare, long rejects,
            boolean primaryChecked, long primaryContacts, long clients, List<String> out) {
        int total = 0;
        double share = tx == 0 ? 0 : (double) nullTx / tx;
        int p = (int) Math.round(35 * share);
        total += p;
        if (out != null) {
            out.add("null sender in " + nullTx + " of " + tx + " transactions (+" + p + ")");
        }
        if (dynamicShare > 0) {
            p = (int) Math.round(25 * dynamicShare);
            total += p;
            if (out != null) {
                out.add(clients == 1 ? "dial-up style name (+" + p + ")"
                        : percent(dynamicShare) + " of the clients have dial-up style names (+" + p + ")");
            }
        }
        if (unnamedShare > 0) {
            p = (int) Math.round(15 * unnamedShare);
            total += p;
            if (out != null) {
                out.add(clients == 1 ? "no reverse DNS name (+" + p + ")"
                        : percent(unnamedShare) + " of the clients have no reverse DNS name (+" + p + ")");
            }
        }
        p = (int) Math.min(15, Math.round(7.5 * Math.log10(1 + nullTx)));
        total += p;
        if (out != null) {
            out.add(nullTx + " null-sender transactions (+" + p + ")");
        }
        if (rejects > 0) {
            p = (int) Math.round(10 * Math.min(1.0, (double) rejects / Math.max(1, tx)));
            total += p;
            if (out != null) {
                out.add("refused " + rejects + " of " + tx + " (+" + p + ")");
            }
        }
        if (primaryChecked) {
            if (primaryContacts == 0) {
                total += 15;
                if (out != null) {
                    out.add("never contacted the primary MX (+15)");
                }
            } else if (out != null) {
                out.add(primaryContacts + " contacted the primary MX: likely legitimate (+0)");
            }
        }
        if (clients > 1) {
            p = (int) Math.min(10, 2 * (clients - 1));
            total += p;
            if (out != null) {
                out.add(clients + " distinct clients (+" + p + ")");
            }
        }
        return total;
    }

    private static String percent(double share) {
        return Math.round(share * 100) + "%";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Score s && s.value() == value() && s.parts().equals(parts());
    }

    @Override
    public int hashCode() {
        return Objects.hash(value(), parts());
    }

    @Override
    public String toString() {
        return "Score[value=" + value() + ", parts=" + parts() + "]";
    }
}
