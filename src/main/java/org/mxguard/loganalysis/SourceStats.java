package org.mxguard.loganalysis;

import java.util.ArrayList;
import java.util.List;

/** The clients of one network or one reverse-DNS subdomain, summed. */
final class SourceStats {

    final String key;
    long clients;
    long offenders;
    long legitimate;
    long dynamicClients;
    long unnamedClients;
    long messages;
    long nullTransactions;
    long transactions;
    long rejects;
    long primaryContacts;
    long first = Long.MAX_VALUE;
    long last;
    // The offenders with the most null-sender transactions (ties by address), worst first: the same
    // whatever order the clients are added in.
    private final ClientStats[] worst = new ClientStats[3];

    SourceStats(String key) {
        this.key = key;
    }

    void add(ClientVerdict v) {
        ClientStats c = v.stats;
        clients++;
        offenders += v.offender ? 1 : 0;
        legitimate += v.legitimate ? 1 : 0;
        dynamicClients += v.dynamic.dynamic() ? 1 : 0;
        unnamedClients += c.name == null ? 1 : 0;
        messages += c.messages;
        nullTransactions += c.nullTransactions();
        transactions += c.transactions();
        rejects += c.rejects;
        primaryContacts += v.contactedPrimary ? 1 : 0;
        if (c.first <= c.last) {
            first = Math.min(first, c.first);
            last = Math.max(last, c.last);
        }
        if (v.offender) {
            keepIfWorse(c);
        }
    }

    private void keepIfWorse(ClientStats c) {
        int at = worst.length;
        while (at > 0 && (worst[at - 1] == null || worse(c, worst[at - 1]))) {
            at--;
        }
        if (at < worst.length) {
            System.arraycopy(worst, at, worst, at + 1, worst.length - at - 1);
            worst[at] = c;
        }
    }

    private static boolean worse(ClientStats a, ClientStats b) {
        long x = a.nullTransactions();
        long y = b.nullTransactions();
        return x != y ? x > y : a.ip.compareTo(b.ip) < 0;
    }

    /** A few offenders, for the reader: those with the most null-sender transactions. */
    List<String> samples() {
        List<String> out = new ArrayList<>(worst.length);
        for (ClientStats c : worst) {
            if (c != null) {
                out.add(c.name == null ? c.ip : c.name + " [" + c.ip + "]");
            }
        }
        return out;
    }

    Score score(boolean primaryChecked) {
        return Score.of(nullTransactions, transactions, clients == 0 ? 0 : (double) dynamicClients / clients,
                clients == 0 ? 0 : (double) unnamedClients / clients, rejects, primaryChecked, primaryContacts,
                clients);
    }
}
