package org.mxguard.loganalysis;

import java.util.ArrayList;
import java.util.List;

/**
 * A score from 0 to 100 that explains itself: each part names the evidence and its points.
 *
 * @param value the sum of the parts
 * @param parts one line per piece of evidence, such as {@code null sender in 57 of 57 (+35)}
 */
public record Score(int value, List<String> parts) {

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
        List<String> parts = new ArrayList<>();
        int total = 0;
        double share = tx == 0 ? 0 : (double) nullTx / tx;
        int p = (int) Math.round(35 * share);
        total += p;
        parts.add("null sender in " + nullTx + " of " + tx + " transactions (+" + p + ")");
        if (dynamicShare > 0) {
            p = (int) Math.round(25 * dynamicShare);
            total += p;
            parts.add(clients == 1 ? "dial-up style name (+" + p + ")"
                    : percent(dynamicShare) + " of the clients have dial-up style names (+" + p + ")");
        }
        if (unnamedShare > 0) {
            p = (int) Math.round(15 * unnamedShare);
            total += p;
            parts.add(clients == 1 ? "no reverse DNS name (+" + p + ")"
                    : percent(unnamedShare) + " of the clients have no reverse DNS name (+" + p + ")");
        }
        p = (int) Math.min(15, Math.round(7.5 * Math.log10(1 + nullTx)));
        total += p;
        parts.add(nullTx + " null-sender transactions (+" + p + ")");
        if (rejects > 0) {
            p = (int) Math.round(10 * Math.min(1.0, (double) rejects / Math.max(1, tx)));
            total += p;
            parts.add("refused " + rejects + " of " + tx + " (+" + p + ")");
        }
        if (primaryChecked) {
            if (primaryContacts == 0) {
                total += 15;
                parts.add("never contacted the primary MX (+15)");
            } else {
                parts.add(primaryContacts + " contacted the primary MX: likely legitimate (+0)");
            }
        }
        if (clients > 1) {
            p = (int) Math.min(10, 2 * (clients - 1));
            total += p;
            parts.add(clients + " distinct clients (+" + p + ")");
        }
        return new Score(Math.min(100, total), List.copyOf(parts));
    }

    private static String percent(double share) {
        return Math.round(share * 100) + "%";
    }
}
