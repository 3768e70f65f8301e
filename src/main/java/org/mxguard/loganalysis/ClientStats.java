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
    final Set<String> loggedBy = new TreeSet<>();

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
        if (loggedBy.size() < 8) {
            loggedBy.add(host);
        }
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
