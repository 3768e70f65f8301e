package org.mxguard.loganalysis;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** What one client address did, summed over all logs read. Memory is per client, not per line. */
final class ClientStats {

    final String ip;
    /** The address as an int, when ClientTable keeps the client so. */
    int v4;
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
    // Where in the logs the name was last given and each host first met (see Correlator's
    // sequence numbers), so that statistics summed out of order agree with those summed in order.
    private long nameSeq = Long.MIN_VALUE;
    private final String[] loggedBy = new String[4];
    private final long[] loggedBySeq = new long[4];

    ClientStats(String ip) {
        this.ip = ip;
    }

    /**
     * The client appears on a line: at log position {@code seq}, a number that grows through the
     * logs. The name is the one given last, the hosts are the first four to log the client.
     */
    void touch(String host, long time, String clientName, long seq) {
        if (clientName != null && seq >= nameSeq) {
            name = clientName;
            nameSeq = seq;
        }
        if (time > 0) {
            first = Math.min(first, time);
            last = Math.max(last, time);
        }
        String h = loggedBy[0];
        if (h != host && (h == null || !h.equals(host))) {
            loggedBy(host, seq);
        } else if (seq < loggedBySeq[0]) {
            loggedBySeq[0] = seq;
        }
    }

    private void loggedBy(String host, long seq) {
        int free = -1;
        int latest = -1;
        for (int i = 0; i < loggedBy.length; i++) {
            String h = loggedBy[i];
            if (h == null) {
                free = free < 0 ? i : free;
            } else if (h == host || h.equals(host)) {
                loggedBySeq[i] = Math.min(loggedBySeq[i], seq);
                return;
            } else if (latest < 0 || loggedBySeq[i] > loggedBySeq[latest]) {
                latest = i;
            }
        }
        int at = free >= 0 ? free : seq < loggedBySeq[latest] ? latest : -1;
        if (at >= 0) {
            loggedBy[at] = host;
            loggedBySeq[at] = seq;
        }
    }

    /** Adds what another part of the logs says of the same client. */
    void add(ClientStats o) {
        if (o.name != null && o.nameSeq >= nameSeq) {
            name = o.name;
            nameSeq = o.nameSeq;
        }
        connects += o.connects;
        seen += o.seen;
        messages += o.messages;
        nullMessages += o.nullMessages;
        recipients += o.recipients;
        delivered += o.delivered;
        deferred += o.deferred;
        bounced += o.bounced;
        rejects += o.rejects;
        nullRejects += o.nullRejects;
        first = Math.min(first, o.first);
        last = Math.max(last, o.last);
        o.rules.forEach((rule, n) -> rules.merge(rule, n, Long::sum));
        for (int i = 0; i < o.loggedBy.length; i++) {
            if (o.loggedBy[i] != null) {
                loggedBy(o.loggedBy[i], o.loggedBySeq[i]);
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
