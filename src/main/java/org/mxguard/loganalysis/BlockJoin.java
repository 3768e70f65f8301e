package org.mxguard.loganalysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The first stage of the join (see {@link Correlator}): one parsing thread's join of the messages
 * that begin and end within a block of lines, which is nearly all of them, into statistics of the
 * thread's own. It takes the parser's calls as they come ({@link BlockParser.Sink}), so the usual
 * lines never become event objects or strings: messages are keyed on their packed queue id
 * ({@link LogQueueId}), clients are found once per {@link BlockParser.ClientRef}.
 *
 * <p>What the block cannot settle alone goes into the block's {@link Handoff}, in log order, for
 * the join of the whole log: the lines of a message whose client line came in an earlier block,
 * and the messages still open at the block's end ({@link LogEvent.Carried}, with what the block
 * learnt of them). Refusals are counted here too: the rules reported for a client are the first
 * met, by sequence number, whichever thread met them. A message joined here leaves no trace in
 * the whole log's join: should that join still remember an older message with the same queue id
 * on the same host (one whose removal was never logged), the older one is forgotten only when it
 * ages out there.
 *
 * <p>A sendmail local submission (a {@code from=} whose {@code relay=} names no network client,
 * see {@link Correlator}) is settled here too, as a message of no client: its lines are counted
 * nowhere, and are not handed on.
 */
final class BlockJoin implements BlockParser.Sink {

    /** The events a block hands on, with their sequence numbers. */
    static final class Handoff {
        final List<LogEvent> events = new ArrayList<>();
        long[] seqs = new long[16];
        /** This thread's statistics so far, when the block ended with more clients than it keeps. */
        ClientTable clients;

        void add(LogEvent e, long seq) {
            if (events.size() == seqs.length) {
                seqs = Arrays.copyOf(seqs, seqs.length * 2);
            }
            seqs[events.size()] = seq;
            events.add(e);
        }
    }

    private static final byte EMPTY = 0;
    private static final byte OPEN = 1;
    private static final byte GONE = 2;

    /** Clients a thread keeps statistics of before it hands them on (see {@link #end}). */
    static final int CLIENTS_KEPT = 1 << 16;

    /** This thread's statistics, added to the whole log's at the end (and on the way, see end). */
    ClientTable clients = new ClientTable();
    final TimeCounts days = new TimeCounts();
    long maxPendingSeen;
    /** As {@link Correlator#messagesWithoutClient}, for the local submissions settled here. */
    long messagesWithoutClient;
    private final int clientsKept;
    // Counts the tables handed on: a ClientRef's statistics are of this table only if it says so.
    private int generation;

    // The block's messages: open addressing on (host, packed queue id), with the slots used listed
    // in the order their messages began, to hand on the open ones and to clear the table.
    private long[] highs = new long[1 << 10];
    private long[] lows = new long[1 << 10];
    private String[] hosts = new String[1 << 10];
    // Null for a local submission: a message the whole log's join would not find.
    private ClientStats[] who = new ClientStats[1 << 10];
    private long[] times = new long[1 << 10];
    private byte[] state = new byte[1 << 10];
    private boolean[] counted = new boolean[1 << 10];
    private boolean[] nullSender = new boolean[1 << 10];
    // Sendmail messages: recipients without a final outcome yet (see Correlator's class comment); 0: not known.
    private int[] left = new int[1 << 10];
    private boolean[] sendmail = new boolean[1 << 10];
    private int[] used = new int[1 << 9];
    private int usedCount;
    private int open;

    private Handoff out;
    private long seq;
    // The last refusal's rule, by its parts: sendmail's come from the same strings line after line.
    private String lastStage;
    private String lastReason;
    private String lastRule;

    BlockJoin() {
        this(CLIENTS_KEPT);
    }

    /** Keeping statistics of at most about {@code clientsKept} clients (the tests use few). */
    BlockJoin(int clientsKept) {
        this.clientsKept = clientsKept;
    }

    /** Starts a block whose first event has the sequence number {@code firstSeq}. */
    void begin(long firstSeq, Handoff handoff) {
        this.out = handoff;
        this.seq = firstSeq;
    }

    /**
     * Ends the block: its open messages are handed on, oldest first, and forgotten here. When the
     * thread keeps statistics of more clients than {@code clientsKept}, they are handed on too and
     * it starts afresh: with many threads and millions of distinct clients, each thread's table
     * would otherwise grow to hold nearly all of them.
     */
    void end() {
        for (int u = 0; u < usedCount; u++) {
            int i = used[u];
            if (state[i] == OPEN) {
                out.add(new LogEvent.Carried(hosts[i], times[i], LogQueueId.unpack(highs[i], lows[i]),
                        who[i] == null ? null : who[i].ip, counted[i], nullSender[i], left[i]), seq);
            }
            state[i] = EMPTY;
            hosts[i] = null;
            who[i] = null;
        }
        usedCount = 0;
        open = 0;
        if (clients.size() > clientsKept) {
            out.clients = clients;
            clients = new ClientTable();
            generation++;
        }
        out = null;
    }

    @Override
    public void connect(String host, long time, BlockParser.ClientRef client) {
        ClientStats c = stats(client);
        c.touch(host, time, client.name, seq++);
        c.connects++;
    }

    @Override
    public void disconnect(String host, long time, BlockParser.ClientRef client) {
        ClientStats c = stats(client);
        c.touch(host, time, client.name, seq++);
        c.seen++;
    }

    /** As {@link #event} joins the string path's sendmail {@code Seen}. */
    @Override
    public void seen(String host, long time, BlockParser.ClientRef client, String what) {
        disconnect(host, time, client);
    }

    @Override
    public void client(String host, long time, long high, long low, BlockParser.ClientRef client) {
        ClientStats c = stats(client);
        c.touch(host, time, client.name, seq++);
        startMessage(host, high, low, c, time);
    }

    @Override
    public void from(String host, long time, long high, long low, String sender, long size, int nrcpts) {
        int i = find(host, high, low);
        if (i < 0) {
            out.add(new LogEvent.From(host, time, LogQueueId.unpack(high, low), sender, size, nrcpts, null, null, null,
                    null), seq++);
            return;
        }
        seq++;
        count(i, time, sender, nrcpts);
    }

    @Override
    public void to(String host, long time, long high, long low, LogEvent.Status status, String stat, String recipient,
            int recipients, String relay, String dsn, String mailer) {
        int i = find(host, high, low);
        if (i < 0) {
            out.add(new LogEvent.To(host, time, LogQueueId.unpack(high, low), recipient, recipients, relay, dsn,
                    status, stat, mailer), seq++);
            return;
        }
        seq++;
        delivered(i, status, recipients);
    }

    /** As {@link #event} joins the string path's sendmail {@code From}. */
    @Override
    public void message(String host, long time, long high, long low, BlockParser.ClientRef client, String sender,
            long size, int nrcpts, String msgid, String proto) {
        if (client != null && client.ip == null) {
            local(host, high, low, time, nrcpts);
            return;
        }
        if (client != null) {
            ClientStats s = stats(client);
            s.touch(host, time, client.name, seq);
            // Not sendmail[startMessage(...)]: the array is read before the call, which may grow it.
            int slot = startMessage(host, high, low, s, time);
            sendmail[slot] = true;
        }
        int i = find(host, high, low);
        if (i < 0) {
            out.add(new LogEvent.From(host, time, LogQueueId.unpack(high, low), sender, size, nrcpts, msgid, proto,
                    client == null ? null : client.name, client == null ? null : client.ip), seq++);
            return;
        }
        seq++;
        count(i, time, sender, nrcpts);
    }

    @Override
    public void removed(String host, long time, long high, long low) {
        int i = find(host, high, low);
        if (i < 0) {
            out.add(new LogEvent.Removed(host, time, LogQueueId.unpack(high, low)), seq++);
            return;
        }
        seq++;
        state[i] = GONE;
        open--;
    }

    /** A line of the string path: joined here as the calls above join the usual lines. */
    @Override
    public void event(LogEvent e) {
        if (e instanceof LogEvent.Connect c) {
            ClientStats s = clients.get(c.clientIp());
            s.touch(c.host(), c.time(), c.clientName(), seq++);
            s.connects++;
        } else if (e instanceof LogEvent.Seen v) {
            ClientStats s = clients.get(v.clientIp());
            s.touch(v.host(), v.time(), v.clientName(), seq++);
            s.seen++;
        } else if (e instanceof LogEvent.Client c && LogQueueId.packs(c.queueId())) {
            ClientStats s = clients.get(c.clientIp());
            s.touch(c.host(), c.time(), c.clientName(), seq++);
            startMessage(c.host(), LogQueueId.high(c.queueId()), LogQueueId.low(c.queueId()), s, c.time());
        } else if (e instanceof LogEvent.From f && LogQueueId.packs(f.queueId())) {
            long high = LogQueueId.high(f.queueId());
            long low = LogQueueId.low(f.queueId());
            if (f.clientIp() == null && f.clientName() != null) {
                local(f.host(), high, low, f.time(), f.nrcpts());
                return;
            }
            if (f.clientIp() != null) {
                // sendmail: the client and the sender on one line.
                ClientStats s = clients.get(f.clientIp());
                s.touch(f.host(), f.time(), f.clientName(), seq);
                int slot = startMessage(f.host(), high, low, s, f.time());
                sendmail[slot] = true;
            }
            int i = localOrHandOn(f.host(), high, low, f);
            if (i >= 0) {
                count(i, f.time(), f.sender(), f.nrcpts());
            }
        } else if (e instanceof LogEvent.To t && LogQueueId.packs(t.queueId())) {
            int i = localOrHandOn(t.host(), LogQueueId.high(t.queueId()), LogQueueId.low(t.queueId()), t);
            if (i >= 0) {
                delivered(i, t.status(), t.recipients());
            }
        } else if (e instanceof LogEvent.Removed r && LogQueueId.packs(r.queueId())) {
            int i = localOrHandOn(r.host(), LogQueueId.high(r.queueId()), LogQueueId.low(r.queueId()), r);
            if (i >= 0) {
                state[i] = GONE;
                open--;
            }
        } else if (e instanceof LogEvent.Reject r) {
            reject(r);
        } else {
            // Queue ids that do not pack: the whole log's join keys them as strings.
            out.add(e, seq++);
        }
    }

    /** The slot of the message the event is about, or -1 when this block does not hold it and it is handed on. */
    private int localOrHandOn(String host, long high, long low, LogEvent e) {
        int i = find(host, high, low);
        if (i < 0) {
            out.add(e, seq);
        }
        seq++;
        return i;
    }

    /** As {@link #event} joins a refusal, with the client looked up once for all its lines. */
    @Override
    public void reject(LogEvent.Reject r, BlockParser.ClientRef client) {
        ClientStats c = stats(client);
        c.touch(r.host(), r.time(), r.clientName(), seq);
        refused(c, r);
    }

    /** A refusal: of a client named on the line, or of a message this block holds, or else handed on. */
    private void reject(LogEvent.Reject r) {
        ClientStats c;
        if (r.clientIp() != null) {
            c = clients.get(r.clientIp());
            c.touch(r.host(), r.time(), r.clientName(), seq);
        } else {
            int i = r.queueId() == null || !LogQueueId.packs(r.queueId()) ? -1
                    : find(r.host(), LogQueueId.high(r.queueId()), LogQueueId.low(r.queueId()));
            if (i < 0) {
                out.add(r, seq++);
                return;
            }
            c = who[i];
            if (c == null) {
                // A local submission's: the whole log's join would not find it either.
                seq++;
                return;
            }
        }
        refused(c, r);
    }

    private void refused(ClientStats c, LogEvent.Reject r) {
        c.rejects++;
        if (r.sender() != null && r.sender().isEmpty()) {
            c.nullRejects++;
        }
        if (r.stage() != lastStage || r.reason() != lastReason) {
            lastStage = r.stage();
            lastReason = r.reason();
            lastRule = lastStage + ": " + lastReason;
        }
        c.refused(lastRule, seq++);
    }

    private ClientStats stats(BlockParser.ClientRef client) {
        ClientStats c = client.stats;
        if (c == null || client.generation != generation) {
            c = clients.get(client.ip);
            client.stats = c;
            client.generation = generation;
        }
        return c;
    }

    /**
     * A local submission: a message of no client, which replaces one open here with its queue id
     * and whose lines then count nowhere, as in the whole log's join.
     */
    private void local(String host, long high, long low, long time, int nrcpts) {
        int i = startMessage(host, high, low, null, time);
        sendmail[i] = true;
        counted[i] = true;
        left[i] = Math.max(0, nrcpts);
        messagesWithoutClient++;
        seq++;
    }

    private void count(int i, long time, String sender, int nrcpts) {
        if (who[i] == null) {
            // Another from= of a local submission's queue id, with no client either.
            messagesWithoutClient++;
            return;
        }
        if (counted[i]) {
            // Postfix logs from= again at every delivery attempt of a deferred message.
            return;
        }
        counted[i] = true;
        boolean isNull = sender != null && sender.isEmpty();
        nullSender[i] = isNull;
        left[i] = sendmail[i] ? Math.max(0, nrcpts) : 0;
        ClientStats c = who[i];
        c.messages++;
        c.recipients += Math.max(0, nrcpts);
        days.count(time, isNull);
        if (isNull) {
            c.nullMessages++;
        }
    }

    private void delivered(int i, LogEvent.Status status, int recipients) {
        ClientStats c = who[i];
        if (c != null) {
            c.outcome(status, recipients);
        }
        if (left[i] > 0 && Correlator.isFinal(status) && (left[i] = Math.max(0, left[i] - recipients)) == 0) {
            // Every recipient of a sendmail message has its outcome: it is done (see Correlator).
            state[i] = GONE;
            open--;
        }
    }

    /** A message begins (a client line): it replaces one open with the same queue id. Returns its slot. */
    private int startMessage(String host, long high, long low, ClientStats c, long time) {
        int i = find(host, high, low);
        if (i >= 0) {
            state[i] = GONE;
            open--;
        }
        if (usedCount + 1 > state.length >> 1) {
            grow();
        }
        int mask = state.length - 1;
        i = slot(high, low) & mask;
        while (state[i] != EMPTY) {
            i = (i + 1) & mask;
        }
        state[i] = OPEN;
        highs[i] = high;
        lows[i] = low;
        hosts[i] = host;
        who[i] = c;
        times[i] = time;
        counted[i] = false;
        nullSender[i] = false;
        left[i] = 0;
        sendmail[i] = false;
        if (usedCount == used.length) {
            used = Arrays.copyOf(used, used.length * 2);
        }
        used[usedCount++] = i;
        maxPendingSeen = Math.max(maxPendingSeen, ++open);
        return i;
    }

    /** The slot of the open message with this queue id on this host, or -1. */
    private int find(String host, long high, long low) {
        int mask = state.length - 1;
        int i = slot(high, low) & mask;
        byte s;
        while ((s = state[i]) != EMPTY) {
            if (s == OPEN && highs[i] == high && lows[i] == low && (hosts[i] == host || hosts[i].equals(host))) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    private static int slot(long high, long low) {
        long h = (high * 0x9E3779B97F4A7C15L) ^ (low * 0xC2B2AE3D27D4EB4FL);
        return (int) (h ^ (h >>> 29));
    }

    /** Doubles the table, keeping the open messages and their order. */
    private void grow() {
        int[] order = Arrays.copyOf(used, usedCount);
        long[] oldHighs = highs;
        long[] oldLows = lows;
        String[] oldHosts = hosts;
        ClientStats[] oldWho = who;
        long[] oldTimes = times;
        byte[] oldState = state;
        boolean[] oldCounted = counted;
        boolean[] oldNull = nullSender;
        int[] oldLeft = left;
        boolean[] oldSendmail = sendmail;
        int n = state.length * 2;
        highs = new long[n];
        lows = new long[n];
        hosts = new String[n];
        who = new ClientStats[n];
        times = new long[n];
        state = new byte[n];
        counted = new boolean[n];
        nullSender = new boolean[n];
        left = new int[n];
        sendmail = new boolean[n];
        used = new int[Math.max(used.length, n >> 1)];
        usedCount = 0;
        int mask = n - 1;
        for (int o : order) {
            if (oldState[o] != OPEN) {
                continue;
            }
            int i = slot(oldHighs[o], oldLows[o]) & mask;
            while (state[i] != EMPTY) {
                i = (i + 1) & mask;
            }
            state[i] = OPEN;
            highs[i] = oldHighs[o];
            lows[i] = oldLows[o];
            hosts[i] = oldHosts[o];
            who[i] = oldWho[o];
            times[i] = oldTimes[o];
            counted[i] = oldCounted[o];
            nullSender[i] = oldNull[o];
            left[i] = oldLeft[o];
            sendmail[i] = oldSendmail[o];
            used[usedCount++] = i;
        }
    }
}
