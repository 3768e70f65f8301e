package org.mxguard.loganalysis;

import java.util.List;

/**
 * A rule the analysis proposes: refuse null-sender relaying from a network or an rDNS subdomain.
 *
 * @param kind what the target is
 * @param target an address, a CIDR network, or a domain suffix written with a leading dot
 * @param score the source's score and its evidence
 * @param clients clients in the source (all of them offenders: a rule never covers a legitimate one)
 * @param nullTransactions null-sender transactions from the source
 * @param transactions all transactions from the source
 * @param rejects refused transactions
 * @param first first time seen (epoch seconds)
 * @param last last time seen (epoch seconds)
 * @param samples a few of the offending clients, for the reader: those with the most null-sender
 *     transactions
 * @param primaryChecked whether a primary MX log was read (then no client in it contacted the primary)
 */
public record Proposal(Kind kind, String target, Score score, long clients, long nullTransactions,
        long transactions, long rejects, long first, long last, List<String> samples, boolean primaryChecked) {

    /** What a proposal's target is. */
    public enum Kind {
        ADDRESS, NETWORK, NAME
    }

    static Proposal of(Kind kind, String target, SourceStats s, boolean primaryChecked) {
        return new Proposal(kind, target, s.score(primaryChecked), s.clients, s.nullTransactions, s.transactions,
                s.rejects, s.first == Long.MAX_VALUE ? 0 : s.first, s.last, List.copyOf(s.samples()), primaryChecked);
    }

    /** One line of evidence, for rule comments and the table. */
    public String evidence() {
        StringBuilder b = new StringBuilder();
        b.append(clients).append(clients == 1 ? " client, " : " clients, ")
                .append(nullTransactions).append(" of ").append(transactions).append(" transactions null-sender");
        if (rejects > 0) {
            b.append(", ").append(rejects).append(" refused");
        }
        if (primaryChecked) {
            b.append(", never contacted the primary MX");
        }
        if (first > 0) {
            b.append(", ").append(java.time.Instant.ofEpochSecond(first).toString(), 0, 10).append("..")
                    .append(java.time.Instant.ofEpochSecond(last).toString(), 0, 10);
        }
        if (!samples.isEmpty()) {
            b.append(", e.g. ").append(String.join(", ", samples));
        }
        return b.toString();
    }
}
