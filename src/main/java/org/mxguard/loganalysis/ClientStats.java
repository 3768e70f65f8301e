package org.mxguard.loganalysis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
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
    /** Rules reported per client: the first ones met in the logs, each counted every time. */
    static final int RULES = 16;
    // Rules kept while the logs are read, each with its count and the position it was first met at:
    // more than reported, so that parts of the logs added up out of order still find the first 16.
    private static final int RULES_KEPT = 64;
    private final Map<String, long[]> rules = new HashMap<>(4);
    // Where in the logs the name was last given and each host first met (see Correlator's
    // sequence numbers), so that statistics summed out of order agree with those summed in order.
    private long nameSeq = Long.MIN_VALUE;
    private final String[] loggedBy = new String[4];
    private final long[] loggedBySeq = new long[4];

    ClientStats(String ip) {
        this.ip = ip;
    }

    /** A delivery's outcome for {@code recipients} recipients of one of the client's messages. */
    void outcome(LogEvent.Status status, int recipients) {
        switch (status) {
            case SENT -> delivered += recipients;
            case DEFERRED -> deferred += recipients;
            case BOUNCED, EXPIRED -> bounced += recipients;
            default -> {
            }
        }
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

    /** A refusal by {@code rule} at log position {@code seq} (see {@link #touch}). */
    void refused(String rule, long seq) {
        long[] r = rules.get(rule);
        if (r != null) {
            r[0]++;
            r[1] = Math.min(r[1], seq);
        } else if (rules.size() < RULES_KEPT) {
            rules.put(rule, new long[] {1, seq});
        }
    }

    /** Refusals per rule, for the first {@value #RULES} rules met, in the order they were met. */
    Map<String, Long> rules() {
        List<Map.Entry<String, long[]>> first = new ArrayList<>(rules.entrySet());
        first.sort(Comparator.comparingLong(e -> e.getValue()[1]));
        Map<String, Long> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : first.subList(0, Math.min(RULES, first.size()))) {
            out.put(e.getKey(), e.getValue()[0]);
        }
        return out;
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
        o.rules.forEach((rule, r) -> {
            long[] mine = rules.get(rule);
            if (mine != null) {
                mine[0] += r[0];
                mine[1] = Math.min(mine[1], r[1]);
            } else {
                rules.put(rule, r.clone());
            }
        });
        if (rules.size() > RULES_KEPT) {
            List<Map.Entry<String, long[]>> first = new ArrayList<>(rules.entrySet());
            first.sort(Comparator.comparingLong(e -> e.getValue()[1]));
            first.subList(RULES_KEPT, first.size()).forEach(e -> rules.remove(e.getKey()));
        }
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
