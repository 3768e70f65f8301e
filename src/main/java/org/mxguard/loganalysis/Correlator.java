package org.mxguard.loganalysis;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Joins events by queue id into per-client statistics. A message is remembered from its client
 * line until it is removed (Postfix {@code removed}, sendmail {@code done}) or ages out, so the
 * join table holds only messages in flight: memory grows with the number of clients, not with
 * the size of the logs. Events must arrive in log order; one thread only.
 *
 * <p>Sendmail seldom logs {@code done}: a message it relayed at once would otherwise stay here
 * until it ages out (7 days of log time, up to 200,000 messages a host), so the table grew with
 * the log's size up to that bound, and every such message was handed on by the block joins. A
 * sendmail message is therefore done too once as many of its {@code to=} lines as its
 * {@code nrcpts=} have a final outcome (sent, bounced, expired). A line that lists several
 * recipients counts once, so such a message may stay until it ages out, as before; a Postfix
 * message waits for its {@code removed}.
 *
 * <p>A sendmail {@code from=} line whose {@code relay=} names no network client (a local
 * submission, {@code relay=user@localhost}) begins a message too, one of no client: it replaces
 * a message still remembered under its queue id, and its own lines, which name no client either,
 * find nothing to count. So a parsing thread settles such a message whole (see {@link BlockJoin}).
 *
 * <p>For a whole log this is the second stage of the join (see {@link ParallelScanner#join}):
 * each parsing thread joins the messages that begin and end within its blocks itself, with a
 * {@link BlockJoin}, and hands on, in log order, what a block cannot settle alone: lines of
 * messages begun in an earlier block, and messages still open at the block's end (as
 * {@link LogEvent.Carried}). At the end the threads' statistics are added to this
 * join's. Every event has a sequence number that grows through the logs, so that the last name of
 * a client and the first hosts to log it are those one join in log order would find.
 */
final class Correlator {

    /** A message between its client line and its removal. */
    private static final class Pending {
        final ClientStats client;
        final long time;
        boolean counted;
        boolean nullSender;
        final boolean sendmail;
        // Recipients without a final outcome yet, for a sendmail message once its sender is counted.
        int left;

        Pending(ClientStats client, long time, boolean sendmail) {
            this.client = client;
            this.time = time;
            this.sendmail = sendmail;
        }
    }

    private final ClientTable clients = new ClientTable();
    private final Map<String, LinkedHashMap<String, Pending>> pendingByHost = new HashMap<>();
    private final TimeCounts days = new TimeCounts();
    private final long maxAgeSeconds;
    private final int maxPending;
    private String lastHost;
    private LinkedHashMap<String, Pending> lastTable;
    private String lastIp;
    private ClientStats lastClient;
    // The position of the event being joined, and of the next one when the caller gives none.
    private long seq;
    private long nextSeq;
    long messagesWithoutClient;
    long maxPendingSeen;

    Correlator(long maxAgeSeconds, int maxPending) {
        this.maxAgeSeconds = maxAgeSeconds;
        this.maxPending = maxPending;
    }

    /** Joins the next event of the log. */
    void accept(LogEvent event) {
        accept(event, nextSeq++);
    }

    /** Joins the event at log position {@code seq}. */
    void accept(LogEvent event, long seq) {
        this.seq = seq;
        nextSeq = seq + 1;
        dispatch(event);
    }

    /** Adds a parsing thread's statistics to this join's. */
    void add(BlockJoin blocks) {
        add(blocks.clients);
        messagesWithoutClient += blocks.messagesWithoutClient;
        days.add(blocks.days);
        maxPendingSeen = Math.max(maxPendingSeen, blocks.maxPendingSeen);
    }

    /** Adds clients' statistics, which a parsing thread handed on, to this join's. */
    void add(ClientTable handedOn) {
        for (ClientStats c : handedOn.all()) {
            clients.get(c.ip).add(c);
        }
    }

    private void dispatch(LogEvent event) {
        // An instanceof chain, commonest first, rather than a switch on the sealed type: that
        // switch makes its dispatch class at run time through the class-file API, whose code
        // a short run then loads, interprets and compiles (about 0.1 CPU s of a 1 GB analysis).
        if (event instanceof LogEvent.Client c) {
            remember(c.host(), c.queueId(), new Pending(client(c.clientIp(), c.host(), c.time(), c.clientName()),
                    c.time(), false));
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
        } else if (event instanceof LogEvent.Carried m && m.clientIp() == null) {
            // A local submission still open at its block's end: it replaced this queue id's message.
            pending(m.host()).remove(m.queueId());
        } else if (event instanceof LogEvent.Carried m) {
            Pending p = new Pending(clients.get(m.clientIp()), m.time(), m.recipientsLeft() > 0);
            p.counted = m.counted();
            p.nullSender = m.nullSender();
            p.left = m.recipientsLeft();
            remember(m.host(), m.queueId(), p);
        }
    }

    private void from(LogEvent.From f) {
        Pending p;
        if (f.clientIp() != null) {
            p = new Pending(client(f.clientIp(), f.host(), f.time(), f.clientName()), f.time(), true);
            remember(f.host(), f.queueId(), p);
        } else if (f.clientName() != null) {
            // A local submission: a new message under this queue id, of no client.
            pending(f.host()).remove(f.queueId());
            p = null;
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
        p.left = p.sendmail ? Math.max(0, f.nrcpts()) : 0;
        ClientStats c = p.client;
        c.messages++;
        c.recipients += Math.max(0, f.nrcpts());
        days.count(f.time(), isNull);
        if (isNull) {
            c.nullMessages++;
        }
    }

    private void to(LogEvent.To t) {
        Pending p = pending(t.host()).get(t.queueId());
        if (p == null) {
            return;
        }
        p.client.outcome(t.status(), t.recipients());
        if (p.left > 0 && isFinal(t.status()) && (p.left = Math.max(0, p.left - t.recipients())) == 0) {
            pending(t.host()).remove(t.queueId());
        }
    }

    /** Whether a delivery outcome is the recipient's last: sent, bounced or expired. */
    static boolean isFinal(LogEvent.Status status) {
        return status == LogEvent.Status.SENT || status == LogEvent.Status.BOUNCED
                || status == LogEvent.Status.EXPIRED;
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
        c.refused(r.stage() + ": " + r.reason(), seq);
    }

    private ClientStats client(String ip, String host, long time, String name) {
        // A session's lines share one address string (BlockParser reuses it): skip the lookup then.
        ClientStats c = ip == lastIp ? lastClient : clients.get(ip);
        lastIp = ip;
        lastClient = c;
        c.touch(host, time, name, seq);
        return c;
    }

    private LinkedHashMap<String, Pending> pending(String host) {
        if (host != lastHost && !host.equals(lastHost)) {
            lastTable = pendingByHost.computeIfAbsent(host, h -> new LinkedHashMap<>());
            lastHost = host;
        }
        return lastTable;
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

    /** Every client, in no particular order. */
    List<ClientStats> clientList() {
        return clients.all();
    }

    /** The clients by address (a new map at each call). */
    Map<String, ClientStats> clients() {
        return clients.asMap();
    }

    /** Messages and null-sender messages per day (epoch day), for the charts. */
    TreeMap<Long, long[]> daily() {
        return days.byDay();
    }

    /** Messages and null-sender messages per ten minutes (by the slot's start, epoch seconds), for the charts. */
    TreeMap<Long, long[]> bySlot() {
        return days.bySlot();
    }

    int pendingNow() {
        return pendingByHost.values().stream().mapToInt(Map::size).sum();
    }
}
