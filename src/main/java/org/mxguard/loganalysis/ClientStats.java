package org.mxguard.loganalysis;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** What one client address did, summed over all logs read. Memory is per client, not per line. */
final class ClientStats {

    final String ip;
    String name;
    long connects;
    long seen;
    long messages;
    long nullMessages;
    long recipients;
    long delivered;
    long deferred;
    long bounced;
    long rejects;
    long nullRejects;
    long first = Long.MAX_VALUE;
    long last;
    final Map<String, Long> rules = new HashMap<>(4);
    private final String[] loggedBy = new String[4];

    ClientStats(String ip) {
        this.ip = ip;
    }

    void touch(String host, long time, String clientName) {
        if (clientName != null) {
            name = clientName;
        }
        if (time > 0) {
            first = Math.min(first, time);
            last = Math.max(last, time);
        }
        for (int i = 0; i < loggedBy.length; i++) {
            String h = loggedBy[i];
            if (h == null) {
                loggedBy[i] = host;
                break;
            }
            if (h == host || h.equals(host)) {
                break;
            }
        }
    }

    /** The hosts whose logs mention this client (the first few). */
    Set<String> loggedBy() {
        Set<String> out = new TreeSet<>();
        for (String h : loggedBy) {
            if (h != null) {
                out.add(h);
            }
        }
        return out;
    }

    /** Null-sender transactions: accepted messages and refused ones. */
    long nullTransactions() {
        return nullMessages + nullRejects;
    }

    long transactions() {
        return messages + rejects;
    }

    double nullShare() {
        long t = transactions();
        return t == 0 ? 0 : (double) nullTransactions() / t;
    }
}
