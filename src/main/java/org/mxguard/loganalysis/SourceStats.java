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
    final List<String> samples = new ArrayList<>(3);

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
        if (v.offender && samples.size() < 3) {
            samples.add(c.name == null ? c.ip : c.name + " [" + c.ip + "]");
        }
    }

    Score score(boolean primaryChecked) {
        return Score.of(nullTransactions, transactions, clients == 0 ? 0 : (double) dynamicClients / clients,
                clients == 0 ? 0 : (double) unnamedClients / clients, rejects, primaryChecked, primaryContacts,
                clients);
    }
}
