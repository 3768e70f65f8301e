package org.mxguard.loganalysis;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Joins events by queue id into per-client statistics. A message is remembered from its client
 * line until it is removed (Postfix {@code removed}, sendmail {@code done}) or ages out, so the
 * join table holds only messages in flight: memory grows with the number of clients, not with
 * the size of the logs. Events must arrive in log order; one thread only.
 */
final class Correlator {

    /** A message between its client line and its removal. */
    private static final class Pending {
        final ClientStats client;
        final long time;
        boolean counted;
        boolean nullSender;

        Pending(ClientStats client, long time) {
            this.client = client;
            this.time = time;
        }
    }

    /** Days counted in an array from the first one seen: about a year either side of it. */
    private static final int DAYS = 800;

    private final Map<String, ClientStats> clients = new HashMap<>();
    private final Map<String, LinkedHashMap<String, Pending>> pendingByHost = new HashMap<>();
    private final TreeMap<Long, long[]> outsideDays = new TreeMap<>();
    private final long maxAgeSeconds;
    private final int maxPending;
    private String lastHost;
    private LinkedHashMap<String, Pending> lastTable;
    // Messages and null-sender messages per day, from firstDay on; days outside it go to outsideDays.
    private long[] dayCounts = new long[0];
    private long firstDay;
    private String lastIp;
    private ClientStats lastClient;
    long messagesWithoutClient;
    long maxPendingSeen;

    Correlator(long maxAgeSeconds, int maxPending) {
        this.maxAgeSeconds = maxAgeSeconds;
        this.maxPending = maxPending;
    }

    void accept(LogEvent event) {
        // An instanceof chain, commonest first, rather than a switch on the sealed type: that
        // switch makes its dispatch class at run time through the class-file API, whose code
        // a short run then loads, interprets and compiles (about 0.1 CPU s of a 1 GB analysis).
        if (event instanceof LogEvent.Client c) {
            remember(c.host(), c.queueId(), new Pending(client(c.clientIp(), c.host(), c.time(), c.clientName()),
                    c.time()));
        } else if (event instanceof LogEvent.From f) {
            from(f);
        } else if (event instanceof LogEvent.To t) {
            to(t);
        } else if (event instanceof LogEvent.Removed r) {
            pending(r.host()).remove(r.queueId());
        } else if (event instanceof LogEvent.Connect c) {
            client(c.clientIp(), c.host(), c.time(), c.clientName()).connects++;
        } else if (event instanceof LogEvent.Seen s) {
            client(s.clientIp(), s.host(), s.time(), s.clientName()).seen++;
        } else if (event instanceof LogEvent.Reject r) {
            reject(r);
        }
    }

    private void from(LogEvent.From f) {
        Pending p;
        if (f.clientIp() != null) {
            p = new Pending(client(f.clientIp(), f.host(), f.time(), f.clientName()), f.time());
            remember(f.host(), f.queueId(), p);
        } else {
            p = pending(f.host()).get(f.queueId());
        }
        if (p == null) {
            messagesWithoutClient++;
            return;
        }
        if (p.counted) {
            // Postfix logs from= again at every delivery attempt of a deferred message.
            return;
        }
        p.counted = true;
        boolean isNull = f.sender() != null && f.sender().isEmpty();
        p.nullSender = isNull;
        ClientStats c = p.client;
        c.messages++;
        c.recipients += Math.max(0, f.nrcpts());
        countDay(f.time(), isNull);
        if (isNull) {
            c.nullMessages++;
        }
    }

    private void to(LogEvent.To t) {
        Pending p = pending(t.host()).get(t.queueId());
        if (p == null) {
            return;
        }
        switch (t.status()) {
            case SENT -> p.client.delivered++;
            case DEFERRED -> p.client.deferred++;
            case BOUNCED, EXPIRED -> p.client.bounced++;
            default -> {
            }
        }
    }

    private void reject(LogEvent.Reject r) {
        ClientStats c;
        if (r.clientIp() != null) {
            c = client(r.clientIp(), r.host(), r.time(), r.clientName());
        } else {
            Pending p = r.queueId() == null ? null : pending(r.host()).get(r.queueId());
            if (p == null) {
                return;
            }
            c = p.client;
        }
        c.rejects++;
        if (r.sender() != null && r.sender().isEmpty()) {
            c.nullRejects++;
        }
        String rule = r.stage() + ": " + r.reason();
        if (c.rules.size() < 16 || c.rules.containsKey(rule)) {
            c.rules.merge(rule, 1L, Long::sum);
        }
    }

    private ClientStats client(String ip, String host, long time, String name) {
        // A session's lines share one address string (BlockParser reuses it): skip the lookup then.
        ClientStats c = ip == lastIp ? lastClient : clients.computeIfAbsent(ip, ClientStats::new);
        lastIp = ip;
        lastClient = c;
        c.touch(host, time, name);
        return c;
    }

    private LinkedHashMap<String, Pending> pending(String host) {
        if (host != lastHost && !host.equals(lastHost)) {
            lastTable = pendingByHost.computeIfAbsent(host, h -> new LinkedHashMap<>());
            lastHost = host;
        }
        return lastTable;
    }

    /**
     * Counts a message on its day. Days index an array, about a year either side of the first:
     * no branch depends on the day changing, which the compiled joining loop would otherwise
     * meet for the first time hours into a log, and be thrown away for.
     */
    private void countDay(long time, boolean isNull) {
        long day = Math.floorDiv(time, 86400L);
        long i = day - firstDay;
        if (i < 0 || i >= dayCounts.length >> 1) {
            if (dayCounts.length == 0) {
                firstDay = day - DAYS / 2;
                dayCounts = new long[2 * DAYS];
                i = DAYS / 2;
            } else {
                long[] counts = outsideDays.computeIfAbsent(day, k -> new long[2]);
                counts[0]++;
                counts[1] += isNull ? 1 : 0;
                return;
            }
        }
        int at = 2 * (int) i;
        dayCounts[at]++;
        dayCounts[at + 1] += isNull ? 1 : 0;
    }

    private void remember(String host, String queueId, Pending p) {
        LinkedHashMap<String, Pending> table = pending(host);
        table.put(queueId, p);
        // Messages that never log their removal (sendmail, cut logs) age out, oldest first.
        Iterator<Pending> oldest = table.values().iterator();
        while (oldest.hasNext()) {
            Pending head = oldest.next();
            if (table.size() > maxPending || head.time > 0 && p.time - head.time > maxAgeSeconds) {
                oldest.remove();
            } else {
                break;
            }
        }
        maxPendingSeen = Math.max(maxPendingSeen, table.size());
    }

    Map<String, ClientStats> clients() {
        return clients;
    }

    /** Messages and null-sender messages per day (epoch day), for the charts. */
    TreeMap<Long, long[]> daily() {
        TreeMap<Long, long[]> all = new TreeMap<>();
        outsideDays.forEach((d, counts) -> all.put(d, counts.clone()));
        for (int i = 0; i < dayCounts.length / 2; i++) {
            if (dayCounts[2 * i] > 0) {
                long[] counts = all.computeIfAbsent(firstDay + i, k -> new long[2]);
                counts[0] += dayCounts[2 * i];
                counts[1] += dayCounts[2 * i + 1];
            }
        }
        return all;
    }

    int pendingNow() {
        return pendingByHost.values().stream().mapToInt(Map::size).sum();
    }
}
