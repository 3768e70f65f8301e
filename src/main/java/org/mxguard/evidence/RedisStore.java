package org.mxguard.evidence;

import io.lettuce.core.KeyValue;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.mxguard.policy.Cidr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet's evidence store: what every mxguard host of a fleet learned, shared through one Redis
 * (a single node, Sentinel, or a cluster). Each host keeps the whole state in memory and decides on
 * it at once; the SMTP path never waits on Redis. A writer thread sends each change to Redis every
 * {@link StoreSettings#writeInterval()} ({@code SET} with the key's expiry as its TTL) and publishes
 * it on the fleet's channel, where the other hosts merge it into their memory. On start and after
 * every outage the host loads the fleet's keys (a {@code SCAN}) and sends what it learned meanwhile.
 *
 * <p>While Redis is unreachable the host goes on deciding on what it knows, and says it is
 * {@linkplain #degraded() degraded}: a client whose primary contact may have been reported to
 * another host is not refused for lack of one. See docs/fleet.md for the key layout.
 */
public final class RedisStore implements EvidenceStore {

    static final String CONTACT = "c:";
    static final String ATTEMPTS = "a:";
    static final String CREDIT = "r:";
    static final String AGGREGATE = "g:";
    static final String COVERED = "v:";
    static final String BLOCK = "b:";
    static final String EPOCH = "epoch";
    static final String CHANNEL = "events";

    private static final Logger LOG = LoggerFactory.getLogger(RedisStore.class);
    private static final int BATCH = 1000;
    private static final long PURGE_EVERY_MILLIS = 60_000;
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long PING_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final StoreSettings settings;
    private final RedisSettings redis;
    private final Clock clock;
    private final String prefix;
    private final String host;
    private final Map<Cidr, PrimaryContact> contacts = new ConcurrentHashMap<>();
    private final Map<Cidr, Attempts> attempts = new ConcurrentHashMap<>();
    private final Map<Cidr, Instant> credits = new ConcurrentHashMap<>();
    /** Per source, each host's own sum: hosts never overwrite each other's counts. */
    private final Map<String, Map<String, Aggregate>> aggregates = new ConcurrentHashMap<>();
    private final Map<String, Instant> covered = new ConcurrentHashMap<>();
    private final Map<String, Block> blocks = new ConcurrentHashMap<>();
    /** Keys (without the prefix) changed here and not yet in Redis. */
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    private final BlockListeners blockListeners = new BlockListeners();
    private final ClientResources resources;
    private final RedisEndpoint endpoint;
    private final Object writing = new Object();
    private final Thread writer;
    private final LongAdder sent = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder outages = new LongAdder();
    private volatile RedisLink link;
    private volatile boolean degraded = true;
    private volatile Instant downSince;
    private volatile boolean closed;
    /** When this host last heard its own message back on the channel (System.nanoTime). */
    private volatile long lastEcho;
    private long lastRetryLog = System.nanoTime();

    private RedisStore(StoreSettings settings, Clock clock) {
        this.settings = settings;
        this.redis = settings.redis();
        this.clock = clock;
        this.prefix = redis.keyPrefix();
        this.host = redis.host();
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(4).computationThreadPoolSize(2).build();
        this.endpoint = RedisEndpoint.of(redis, resources);
        this.writer = Thread.ofPlatform().daemon().name("evidence-fleet").unstarted(this::writeLoop);
    }

    /**
     * Connects, loads the fleet's state and starts the writer. When Redis cannot be reached the store
     * starts empty and degraded, and keeps trying: mxguard relays while Redis is away.
     */
    public static RedisStore open(StoreSettings settings, Clock clock) {
        RedisStore store = new RedisStore(settings, clock);
        store.downSince = clock.instant();
        try {
            store.connect();
        } catch (RuntimeException e) {
            store.outages.increment();
            LOG.warn("fleet store {}: unreachable at start ({}); deciding on this host's knowledge and not refusing "
                    + "clients for lack of a primary contact until it is back", store.redis.where(), e.toString());
        }
        store.writer.start();
        return store;
    }

    private Cidr group(InetAddress client) {
        Cidr address = Cidr.of(client);
        return address.truncate(address.v4() ? settings.groupV4() : settings.groupV6());
    }

    @Override
    public void record(PrimaryContact contact) {
        Cidr g = group(contact.client());
        contacts.merge(g, contact, RedisStore::newer);
        dirty.add(CONTACT + g);
        for (String source : Sources.of(contact.client(), contact.clientName())) {
            cover(source, contact.at());
        }
    }

    private static PrimaryContact newer(PrimaryContact old, PrimaryContact fresh) {
        return fresh.at().isBefore(old.at()) ? old : fresh;
    }

    private static Instant later(Instant a, Instant b) {
        return b.isAfter(a) ? b : a;
    }

    private void cover(String source, Instant at) {
        covered.merge(source, at, RedisStore::later);
        dirty.add(COVERED + source);
    }

    @Override
    public PrimaryContact lastContact(InetAddress client) {
        return contacts.get(group(client));
    }

    @Override
    public Instant attempt(InetAddress client, String sender, String recipient, Instant at) {
        long pair = Attempts.hash(sender, recipient);
        Cidr g = group(client);
        Instant expiredBefore = at.minus(settings.attemptRetention());
        Attempts before = attempts.get(g);
        Attempts now = attempts.merge(g, Attempts.NONE.with(pair, at, expiredBefore),
                (old, fresh) -> old.with(pair, at, expiredBefore));
        if (now != before) {
            dirty.add(ATTEMPTS + g);
        }
        Instant first = now.first(pair);
        // Null: the client's table is full of pairs still waiting for their retry; this one is not kept.
        return first == null || first.isAfter(at) ? at : first;
    }

    @Override
    public void grantCredit(InetAddress client, Instant until) {
        Cidr g = group(client);
        credits.merge(g, until, RedisStore::later);
        dirty.add(CREDIT + g);
        for (String source : Sources.of(client, null)) {
            cover(source, clock.instant());
        }
    }

    @Override
    public Instant creditUntil(InetAddress client) {
        return credits.get(group(client));
    }

    @Override
    public void caught(InetAddress client, String verifiedName, boolean nullSender, Instant at) {
        String address = client.getHostAddress();
        for (String source : Sources.of(client, verifiedName)) {
            aggregates.computeIfAbsent(source, s -> new ConcurrentHashMap<>()).merge(host,
                    Aggregate.first(source, address, nullSender, at), (old, fresh) -> old.plus(address, nullSender, at));
            dirty.add(AGGREGATE + host + ":" + source);
        }
    }

    @Override
    public Aggregate aggregate(String source) {
        Map<String, Aggregate> byHost = aggregates.get(source);
        if (byHost == null) {
            return null;
        }
        Aggregate sum = null;
        for (Aggregate a : byHost.values()) {
            sum = sum == null ? a : sum.and(a);
        }
        return sum;
    }

    @Override
    public boolean covered(String source) {
        return covered.get(source) != null;
    }

    @Override
    public List<Block> blocks() {
        return new ArrayList<>(blocks.values());
    }

    @Override
    public Block block(String target) {
        return blocks.get(target);
    }

    @Override
    public void putBlock(Block block) {
        blocks.put(block.target(), block);
        dirty.add(BLOCK + block.target());
        blockListeners.changed();
        // Blocks are rare and the fleet should have them at once: do not wait for the next interval.
        LockSupport.unpark(writer);
    }

    @Override
    public boolean removeBlock(String target) {
        boolean removed = blocks.remove(target) != null;
        if (removed) {
            dirty.add(BLOCK + target);
            blockListeners.changed();
            LockSupport.unpark(writer);
        }
        return removed;
    }

    @Override
    public void onBlocksChanged(Runnable listener) {
        blockListeners.add(listener);
    }

    /** Drops expired entries from memory; Redis drops its copies by their TTLs. */
    @Override
    public void purge(Instant now) {
        Instant contactsBefore = now.minus(settings.contactRetention());
        Instant attemptsBefore = now.minus(settings.attemptRetention());
        Instant aggregatesBefore = now.minus(settings.aggregateRetention());
        contacts.values().removeIf(c -> c.at().isBefore(contactsBefore));
        attempts.values().removeIf(a -> a.newest().isBefore(attemptsBefore));
        attempts.replaceAll((k, a) -> {
            Attempts kept = a.since(attemptsBefore);
            return kept == null ? Attempts.NONE : kept;
        });
        attempts.values().removeIf(a -> a.hashes().length == 0);
        credits.values().removeIf(until -> !until.isAfter(now));
        for (Map<String, Aggregate> byHost : aggregates.values()) {
            byHost.values().removeIf(a -> a.last().isBefore(aggregatesBefore));
        }
        aggregates.values().removeIf(Map::isEmpty);
        Instant coveredBefore = now.minus(settings.coveredRetention());
        covered.values().removeIf(at -> at.isBefore(coveredBefore));
        if (blocks.values().removeIf(b -> b.expired(now))) {
            blockListeners.changed();
        }
    }

    // ---- Redis: the key layout -------------------------------------------------------------------

    /** A key's value as this host holds it, and its time to live in milliseconds (0: none; negative: expired). */
    private record Value(String text, long ttlMillis) {
    }

    /** The current value of one key (without the prefix), or null when this host holds none. */
    private Value current(String key, Instant now) {
        String rest = key.substring(2);
        return switch (key.substring(0, 2)) {
            case CONTACT -> {
                PrimaryContact c = contacts.get(Cidr.parse(rest));
                yield c == null ? null : new Value(StoreCodec.contact(c), ttl(c.at().plus(settings.contactRetention()), now));
            }
            case ATTEMPTS -> {
                Attempts a = attempts.get(Cidr.parse(rest));
                yield a == null ? null : new Value(a.text(), ttl(a.newest().plus(settings.attemptRetention()), now));
            }
            case CREDIT -> {
                Instant until = credits.get(Cidr.parse(rest));
                yield until == null ? null : new Value(until.toString(), ttl(until, now));
            }
            case AGGREGATE -> {
                int colon = rest.indexOf(':');
                Map<String, Aggregate> byHost = aggregates.get(rest.substring(colon + 1));
                Aggregate a = byHost == null ? null : byHost.get(rest.substring(0, colon));
                yield a == null ? null
                        : new Value(StoreCodec.aggregate(a), ttl(a.last().plus(settings.aggregateRetention()), now));
            }
            case COVERED -> {
                Instant at = covered.get(rest);
                yield at == null ? null : new Value(at.toString(), ttl(at.plus(settings.coveredRetention()), now));
            }
            case BLOCK -> {
                Block b = blocks.get(rest);
                yield b == null ? null : new Value(StoreCodec.block(b), b.expires() == null ? 0 : ttl(b.expires(), now));
            }
            default -> null;
        };
    }

    private static long ttl(Instant until, Instant now) {
        long millis = Duration.between(now, until).toMillis();
        return millis > 0 ? millis : -1;
    }

    /**
     * Merges one key's value from Redis or another host into memory (null: the key was deleted).
     * Contacts, credits and coverage keep the latest time, attempts the union, aggregates each
     * host's own sum; blocks take what the fleet last wrote. Returns true when the blocks changed.
     */
    private boolean apply(String key, String text) {
        if (key.length() < 2) {
            return false;
        }
        String rest = key.substring(2);
        switch (key.substring(0, 2)) {
            case CONTACT -> {
                if (text != null) {
                    contacts.merge(Cidr.parse(rest), StoreCodec.contact(text), RedisStore::newer);
                }
            }
            case ATTEMPTS -> {
                if (text != null) {
                    attempts.merge(Cidr.parse(rest), Attempts.parse(text), Attempts::union);
                }
            }
            case CREDIT -> {
                if (text != null) {
                    credits.merge(Cidr.parse(rest), Instant.parse(text), RedisStore::later);
                }
            }
            case AGGREGATE -> {
                int colon = rest.indexOf(':');
                String source = rest.substring(colon + 1);
                if (text != null && colon > 0) {
                    Aggregate fresh = StoreCodec.aggregate(source, text);
                    aggregates.computeIfAbsent(source, s -> new ConcurrentHashMap<>()).merge(rest.substring(0, colon),
                            fresh, (old, f) -> f.attempts() >= old.attempts() ? f : old);
                }
            }
            case COVERED -> {
                if (text != null) {
                    covered.merge(rest, Instant.parse(text), RedisStore::later);
                }
            }
            case BLOCK -> {
                if (text == null) {
                    return blocks.remove(rest) != null;
                }
                Block fresh = StoreCodec.block(rest, text);
                return !fresh.equals(blocks.put(rest, fresh));
            }
            default -> {
                // Another fleet's keys under a longer prefix, or a later version's kind: not ours.
            }
        }
        return false;
    }

    /** A message on the fleet's channel: the sending host's name, then one change per line. */
    private void onMessage(String channel, String message) {
        int newline = message.indexOf('\n');
        if (newline < 0) {
            return;
        }
        if (message.substring(0, newline).equals(host)) {
            lastEcho = System.nanoTime();
            return;
        }
        boolean blocksChanged = false;
        for (String line : message.substring(newline + 1).split("\n")) {
            String[] f = line.split("\t", 3);
            if (f.length < 2) {
                continue;
            }
            try {
                blocksChanged |= apply(f[1], f[0].equals("D") ? null : f.length > 2 ? f[2] : "");
                received.increment();
            } catch (RuntimeException e) {
                LOG.warn("fleet store: unreadable change from {} skipped: {} ({})", message.substring(0, newline), line,
                        e.toString());
            }
        }
        if (blocksChanged) {
            blockListeners.changed();
        }
    }

    // ---- Redis: connecting, catching up, writing -------------------------------------------------

    private void connect() {
        RedisLink l = endpoint.open(prefix + CHANNEL, this::onMessage);
        try {
            // The epoch key is made once per Redis data set: when it is missing, Redis lost its data
            // (a restart without persistence, a flush) and every host sends back all it holds.
            boolean fresh = l.sync().setnx(prefix + EPOCH, host + " " + clock.instant());
            int loaded = load(l, !fresh);
            int pending = dirty.size();
            if (fresh) {
                markAllDirty();
            }
            synchronized (writing) {
                lastEcho = System.nanoTime();
                link = l;
                writeDirty(l);
            }
            Instant since = downSince;
            degraded = false;
            downSince = null;
            LOG.info("fleet store {}: in sync as {} after {}; loaded {} keys, sent {} changes made meanwhile{}",
                    redis.where(), host, outages.sum() == 0 ? "start" : "an outage of "
                    + Duration.between(since, clock.instant()).toMillis() + " ms", loaded, pending,
                    fresh ? ", and all this host holds (Redis had no data of this fleet)" : "");
        } catch (RuntimeException e) {
            link = null;
            l.close();
            throw e;
        }
    }

    /** Reads every key of the fleet into memory; returns how many. */
    private int load(RedisLink l, boolean authoritative) {
        Set<String> blocksInRedis = new HashSet<>();
        List<String> batch = new ArrayList<>();
        int loaded = 0;
        boolean changed = false;
        for (var node : l.scanTargets()) {
            Iterator<String> keys = ScanIterator.scan(node, ScanArgs.Builder.matches(prefix + "*").limit(BATCH));
            while (keys.hasNext() || !batch.isEmpty()) {
                if (keys.hasNext()) {
                    batch.add(keys.next());
                    if (batch.size() < BATCH && keys.hasNext()) {
                        continue;
                    }
                }
                for (KeyValue<String, String> kv : l.sync().mget(batch.toArray(String[]::new))) {
                    if (!kv.hasValue()) {
                        continue;
                    }
                    String key = kv.getKey().substring(prefix.length());
                    try {
                        changed |= apply(key, kv.getValue());
                        loaded++;
                    } catch (RuntimeException e) {
                        LOG.warn("fleet store: unreadable key {} skipped ({})", kv.getKey(), e.toString());
                    }
                    if (key.startsWith(BLOCK)) {
                        blocksInRedis.add(key.substring(BLOCK.length()));
                    }
                }
                batch.clear();
            }
        }
        if (authoritative) {
            // Blocks removed by another host while this one was away; not those made here meanwhile.
            changed |= blocks.keySet().removeIf(t -> !blocksInRedis.contains(t) && !dirty.contains(BLOCK + t));
        }
        if (changed) {
            blockListeners.changed();
        }
        return loaded;
    }

    private void markAllDirty() {
        contacts.keySet().forEach(k -> dirty.add(CONTACT + k));
        attempts.keySet().forEach(k -> dirty.add(ATTEMPTS + k));
        credits.keySet().forEach(k -> dirty.add(CREDIT + k));
        aggregates.forEach((source, byHost) -> byHost.keySet().forEach(h -> dirty.add(AGGREGATE + h + ":" + source)));
        covered.keySet().forEach(k -> dirty.add(COVERED + k));
        blocks.keySet().forEach(k -> dirty.add(BLOCK + k));
    }

    /**
     * Sends the changed keys and publishes them, in batches, waiting for Redis to confirm each.
     * On failure the batch's keys are changed again, so nothing is lost, and the exception goes up.
     */
    private void writeDirty(RedisLink l) {
        RedisClusterAsyncCommands<String, String> async = l.async();
        Iterator<String> keys = dirty.iterator();
        while (keys.hasNext()) {
            Instant now = clock.instant();
            List<String> batch = new ArrayList<>(BATCH);
            List<RedisFuture<?>> futures = new ArrayList<>(BATCH + 1);
            StringBuilder events = new StringBuilder(host);
            while (keys.hasNext() && batch.size() < BATCH) {
                String key = keys.next();
                keys.remove();
                batch.add(key);
                Value v = current(key, now);
                if (v == null) {
                    if (key.startsWith(BLOCK)) {
                        futures.add(async.del(prefix + key));
                        events.append("\nD\t").append(key);
                    }
                } else if (v.ttlMillis() >= 0) {
                    futures.add(v.ttlMillis() == 0 ? async.set(prefix + key, v.text())
                            : async.set(prefix + key, v.text(), SetArgs.Builder.px(v.ttlMillis())));
                    events.append("\nS\t").append(key).append('\t').append(v.text());
                }
            }
            if (futures.isEmpty()) {
                continue;
            }
            futures.add(async.publish(prefix + CHANNEL, events.toString()));
            RuntimeException failure = null;
            try {
                if (!LettuceFutures.awaitAll(redis.timeout(), futures.toArray(RedisFuture[]::new))) {
                    failure = new RedisException("no answer within " + redis.timeout().toMillis() + " ms");
                }
            } catch (RuntimeException e) {
                failure = e;
            }
            if (failure != null) {
                dirty.addAll(batch);
                throw failure;
            }
            sent.add(batch.size());
        }
    }

    private void writeLoop() {
        long nextPurge = clock.millis() + PURGE_EVERY_MILLIS;
        long nextPing = System.nanoTime() + PING_NANOS;
        long nextTry = System.nanoTime();
        while (!closed) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(settings.writeInterval().toMillis()));
            if (closed) {
                break;
            }
            try {
                if (clock.millis() >= nextPurge) {
                    purge(clock.instant());
                    nextPurge = clock.millis() + PURGE_EVERY_MILLIS;
                }
                RedisLink l = link;
                if (l == null) {
                    if (System.nanoTime() - nextTry >= 0) {
                        nextTry = System.nanoTime() + RETRY_NANOS;
                        connect();
                    }
                    continue;
                }
                if (!l.open()) {
                    throw new RedisException("connection closed");
                }
                synchronized (writing) {
                    writeDirty(l);
                }
                if (System.nanoTime() - nextPing >= 0) {
                    // A heartbeat through the channel: a subscription left on a dead node (a cluster
                    // master killed) hears nothing, not even this host's own messages.
                    // Twice the timeout: a machine starved of CPU for a moment is not an outage, and
                    // a false one costs a full reload.
                    if (System.nanoTime() - lastEcho > PING_NANOS + 2 * redis.timeout().toNanos()) {
                        throw new RedisException("the subscription heard nothing for "
                                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastEcho) + " ms");
                    }
                    l.ping();
                    LettuceFutures.awaitAll(redis.timeout(), l.async().publish(prefix + CHANNEL, host + "\n"));
                    nextPing = System.nanoTime() + PING_NANOS;
                }
            } catch (RuntimeException e) {
                lost(e);
            }
        }
    }

    private void lost(RuntimeException e) {
        RedisLink l = link;
        link = null;
        if (l != null) {
            l.close();
        }
        if (!degraded) {
            degraded = true;
            downSince = clock.instant();
            outages.increment();
            LOG.warn("fleet store {}: lost ({}); deciding on this host's knowledge, not refusing clients for lack of a "
                    + "primary contact, {} changes waiting; reconnecting", redis.where(), e.toString(), dirty.size());
        } else if (System.nanoTime() - lastRetryLog > TimeUnit.SECONDS.toNanos(10)) {
            lastRetryLog = System.nanoTime();
            LOG.warn("fleet store {}: still unreachable: {}", redis.where(), e.toString());
        }
    }

    @Override
    public boolean degraded() {
        return degraded;
    }

    /** How many times Redis went away since start (an unreachable start counts as one). */
    public long outages() {
        return outages.sum();
    }

    /** Changes this host sent to Redis since start (keys written and published). */
    public long changesSent() {
        return sent.sum();
    }

    /** Changes heard from the other hosts since start. */
    public long changesReceived() {
        return received.sum();
    }

    /** Keys changed here and not yet in Redis: grows while Redis is away, one per key however often it changes. */
    public int changesWaiting() {
        return dirty.size();
    }

    /** Sends what is waiting, when Redis is reachable; returns at once when it is not. */
    @Override
    public void flush() {
        synchronized (writing) {
            RedisLink l = link;
            if (l == null) {
                return;
            }
            try {
                writeDirty(l);
            } catch (RuntimeException e) {
                lost(e);
            }
        }
    }

    @Override
    public String describe() {
        int sources = aggregates.size();
        Instant since = downSince;
        return "contacts " + contacts.size() + ", attempts " + attempts.size() + ", credits " + credits.size()
                + ", sources " + sources + ", covered sources " + covered.size() + ", blocks " + blocks.size()
                + "; fleet " + redis.where() + " as " + host + ": "
                + (degraded ? "degraded since " + since + " (" + dirty.size() + " changes waiting)" : "in sync")
                + ", " + outages.sum() + " outages, " + sent.sum() + " changes sent, " + received.sum() + " received";
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(writer);
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
        RedisLink l = link;
        link = null;
        if (l != null) {
            l.close();
        }
        endpoint.close();
        resources.shutdown(0, 1, TimeUnit.SECONDS);
    }
}
