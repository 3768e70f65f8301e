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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
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
public final class RedisStore extends LocalViewStore {

    static final String BLOCK = LocalView.BLOCK;
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
    /** Keys (without the prefix) changed here and not yet in Redis. */
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    private final LocalView view;
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
    /** Opened by {@link #openLoadingLater}: the writer connects and reads the fleet's keys first. */
    private boolean loadLater;
    /** Redis was unreachable when the store opened (counted as an outage then). */
    private volatile boolean startFailed;
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
        this.view = new LocalView(settings, host, clock, new LocalView.Changes() {
            @Override
            public void changed(String key) {
                dirty.add(key);
            }

            @Override
            public void expired(String key) {
                // Redis expires its copy by the key's TTL.
            }
        });
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

    /**
     * Reads the fleet's blocks and returns; the rest (every key, with the fleet's contacts) is read
     * on the writer's thread once {@link #startLoading} is called, after the server listens. Until
     * then the store is {@linkplain #degraded() degraded}: the rule refuses no one for lack of a
     * contact, and the blocks act. When Redis cannot be reached the store starts empty, as
     * {@link #open} does.
     */
    public static RedisStore openLoadingLater(StoreSettings settings, Clock clock) {
        RedisStore store = new RedisStore(settings, clock);
        store.downSince = clock.instant();
        store.loadLater = true;
        long start = System.nanoTime();
        try {
            RedisLink l = store.endpoint.open(store.prefix + CHANNEL, store::onMessage);
            try {
                int blocks = store.load(l, false, BLOCK + "*");
                LOG.info("fleet store {}: {} blocks read in {} ms; the rest is read once the server listens, "
                        + "degraded until then", store.redis.where(), blocks,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            } finally {
                l.close();
            }
        } catch (RuntimeException e) {
            store.outages.increment();
            store.startFailed = true;
            LOG.warn("fleet store {}: unreachable at start ({}); deciding on this host's knowledge and not refusing "
                    + "clients for lack of a primary contact until it is back", store.redis.where(), e.toString());
        }
        return store;
    }

    @Override
    public synchronized void startLoading() {
        if (writer.getState() == Thread.State.NEW && !closed) {
            writer.start();
        }
    }

    @Override
    LocalView view() {
        return view;
    }

    @Override
    public void putBlock(Block block) {
        super.putBlock(block);
        // Blocks are rare and the fleet should have them at once: do not wait for the next interval.
        LockSupport.unpark(writer);
    }

    @Override
    public boolean removeBlock(String target) {
        boolean removed = super.removeBlock(target);
        if (removed) {
            LockSupport.unpark(writer);
        }
        return removed;
    }

    // ---- Redis: the key layout (LocalView's) -----------------------------------------------------

    private static long ttl(Instant until, Instant now) {
        if (until == null) {
            return 0;
        }
        long millis = Duration.between(now, until).toMillis();
        return millis > 0 ? millis : -1;
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
                blocksChanged |= view.apply(f[1], f[0].equals("D") ? null : f.length > 2 ? f[2] : "");
                received.increment();
            } catch (RuntimeException e) {
                LOG.warn("fleet store: unreadable change from {} skipped: {} ({})", message.substring(0, newline), line,
                        e.toString());
            }
        }
        if (blocksChanged) {
            view.blocksChanged();
        }
    }

    // ---- Redis: connecting, catching up, writing -------------------------------------------------

    private void connect() {
        RedisLink l = endpoint.open(prefix + CHANNEL, this::onMessage);
        try {
            // The epoch key is made once per Redis data set: when it is missing, Redis lost its data
            // (a restart without persistence, a flush) and every host sends back all it holds.
            boolean fresh = l.sync().setnx(prefix + EPOCH, host + " " + clock.instant());
            int loaded = load(l, !fresh, "*");
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

    /** Reads every key of the fleet matching {@code match} (after the prefix) into memory; returns how many. */
    private int load(RedisLink l, boolean authoritative, String match) {
        Set<String> blocksInRedis = new HashSet<>();
        List<String> batch = new ArrayList<>();
        int loaded = 0;
        boolean changed = false;
        for (var node : l.scanTargets()) {
            Iterator<String> keys = ScanIterator.scan(node, ScanArgs.Builder.matches(prefix + match).limit(BATCH));
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
                        changed |= view.apply(key, kv.getValue());
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
            changed |= view.retainBlocks(t -> blocksInRedis.contains(t) || dirty.contains(BLOCK + t));
        }
        if (changed) {
            view.blocksChanged();
        }
        return loaded;
    }

    private void markAllDirty() {
        view.forEachKey(dirty::add);
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
                LocalView.Current v = view.current(key);
                long ttl = v == null ? -1 : ttl(v.expires(), now);
                if (v == null) {
                    if (key.startsWith(BLOCK)) {
                        futures.add(async.del(prefix + key));
                        events.append("\nD\t").append(key);
                    }
                } else if (ttl >= 0) {
                    futures.add(ttl == 0 ? async.set(prefix + key, v.text())
                            : async.set(prefix + key, v.text(), SetArgs.Builder.px(ttl)));
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
        boolean first = loadLater;
        while (!closed) {
            if (!first) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(settings.writeInterval().toMillis()));
            }
            if (closed) {
                break;
            }
            if (first) {
                // Opened to load later: connect and read the fleet's keys at once, on this thread.
                first = false;
                try {
                    connect();
                } catch (RuntimeException e) {
                    if (!startFailed) {
                        startFailed = true;
                        outages.increment();
                        LOG.warn("fleet store {}: unreachable at start ({}); deciding on this host's knowledge and "
                                + "not refusing clients for lack of a primary contact until it is back",
                                redis.where(), e.toString());
                    }
                    nextTry = System.nanoTime() + RETRY_NANOS;
                }
                continue;
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
        Instant since = downSince;
        return view.counts() + "; fleet " + redis.where() + " as " + host + ": "
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
