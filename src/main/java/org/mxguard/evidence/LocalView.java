package org.mxguard.evidence;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.mxguard.policy.Cidr;

/**
 * What one host knows, in memory: primary contacts, refused attempts and retry credits per client
 * group, caught-client sums and coverage per source, and blocks. Every decision reads it at once,
 * and both stores hold their state in one: the embedded store persists it to a file, the fleet's
 * store shares it through Redis. Neither keeps a copy of its own.
 *
 * <p>Each change names its key to {@link Changes} (on the caller's thread; the sink must return at
 * once), in the one key layout both stores use ({@code c:192.0.2.1}, see docs/fleet.md). A store
 * reads a key's current value with {@link #current} when it gets round to writing it, so many
 * changes of one key between two writes cost one write. Values from elsewhere (the store file at
 * start, another host) come in through {@link #apply}, which merges as the fleet does: the latest
 * contact, credit and coverage, the union of attempts, each host's own aggregate, the last block.
 */
final class LocalView {

    static final String CONTACT = "c:";
    static final String ATTEMPTS = "a:";
    static final String CREDIT = "r:";
    static final String AGGREGATE = "g:";
    static final String COVERED = "v:";
    static final String BLOCK = "b:";

    /**
     * A source's coverage mark is moved forward only when it gains this much, and a client's contact
     * is written again (to the file, to the fleet) only when it is this much newer: they last hours
     * and days, and a busy client rewritten at every contact would be a write per contact for nothing.
     */
    static final Duration COVER_STEP = Duration.ofMinutes(1);

    /** Where a view reports its changes. */
    interface Changes {

        /** The key's value changed (or was removed by a caller); write it when convenient. */
        void changed(String key);

        /** The key expired and was dropped from memory (a store whose keys expire by themselves may ignore it). */
        void expired(String key);
    }

    /** A key's value as the store writes it, and when it expires (null: never). */
    record Current(String text, Instant expires) {
    }

    private final StoreSettings settings;
    private final String host;
    private final Clock clock;
    private final Changes changes;
    /** Keyed by {@link #key}: a Long for an IPv4 group. */
    private final Map<Object, Seen> contacts = new ConcurrentHashMap<>();
    private final Map<Object, Attempts> attempts = new ConcurrentHashMap<>();
    private final Map<Object, Instant> credits = new ConcurrentHashMap<>();
    /** Per source, each host's own sum: hosts never overwrite each other's counts. */
    private final Map<String, Map<String, Aggregate>> aggregates = new ConcurrentHashMap<>();
    private final Map<String, Instant> covered = new ConcurrentHashMap<>();
    private final Map<String, Block> blocks = new ConcurrentHashMap<>();
    private final BlockListeners blockListeners = new BlockListeners();

    /**
     * @param host this host's name, under which its aggregates are kept (no ':' in it)
     */
    LocalView(StoreSettings settings, String host, Clock clock, Changes changes) {
        if (host.isEmpty() || host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("a host name for the evidence keys, without ':': '" + host + "'");
        }
        this.settings = settings;
        this.host = host;
        this.clock = clock;
        this.changes = changes;
    }

    /** The client's group: the configured prefix of its address, under which it counts as one client. */
    Cidr group(InetAddress client) {
        Cidr address = Cidr.of(client);
        return address.truncate(address.v4() ? settings.groupV4() : settings.groupV6());
    }

    /**
     * The client maps' key for a group: for IPv4 a Long (prefix length and address, 16 bytes) rather
     * than the 40-byte {@link Cidr}, one object less to keep per tracked client.
     */
    private static Object key(Cidr group) {
        return group.v4() ? Long.valueOf((long) group.length() << 32 | group.lo()) : group;
    }

    /** The group's text ({@code 192.0.2.1}, {@code 2001:db8::/64}) from a client map's key. */
    private static String text(Object key) {
        return key instanceof Long v4 ? new Cidr(true, 0, v4 & 0xffffffffL, (int) (v4 >>> 32)).toString()
                : key.toString();
    }

    void record(PrimaryContact contact) {
        Cidr g = group(contact.client());
        Seen fresh = Seen.of(contact);
        Object k = key(g);
        Seen old = contacts.get(k);
        Seen kept = contacts.merge(k, fresh, Seen::newer);
        // A busy client's contact is written again once it is a step newer, not at every contact:
        // what a restart or another host may miss is minutes of a window of hours.
        if (kept == fresh && (old == null || fresh.atMillis() - old.atMillis() >= COVER_STEP.toMillis())) {
            changes.changed(CONTACT + g);
        }
        Instant at = contact.at();
        for (String source : Sources.of(contact.client(), contact.clientName())) {
            cover(source, at);
        }
    }

    private void cover(String source, Instant at) {
        Instant old = covered.get(source);
        if (old != null && !at.isAfter(old.plus(COVER_STEP))) {
            return;
        }
        covered.merge(source, at, LocalView::later);
        changes.changed(COVERED + source);
    }

    PrimaryContact lastContact(InetAddress client) {
        Seen seen = contacts.get(key(group(client)));
        return seen == null ? null : seen.contact();
    }

    Instant attempt(InetAddress client, String sender, String recipient, Instant at) {
        long pair = Attempts.hash(sender, recipient);
        Cidr g = group(client);
        Instant expiredBefore = at.minus(settings.attemptRetention());
        Object k = key(g);
        Attempts before = attempts.get(k);
        Attempts now = attempts.merge(k, Attempts.NONE.with(pair, at, expiredBefore),
                (old, fresh) -> old.with(pair, at, expiredBefore));
        if (now != before) {
            changes.changed(ATTEMPTS + g);
        }
        Instant first = now.first(pair);
        // Null: the client's table is full of pairs still waiting for their retry; this one is not kept.
        return first == null || first.isAfter(at) ? at : first;
    }

    void grantCredit(InetAddress client, Instant until) {
        Cidr g = group(client);
        credits.merge(key(g), until, LocalView::later);
        changes.changed(CREDIT + g);
        Instant now = clock.instant();
        for (String source : Sources.of(client, null)) {
            cover(source, now);
        }
    }

    Instant creditUntil(InetAddress client) {
        return credits.get(key(group(client)));
    }

    void caught(InetAddress client, String verifiedName, boolean nullSender, Instant at) {
        // Distinct clients are distinct groups: the addresses of one IPv6 /64 are one client.
        String address = group(client).toString();
        for (String source : Sources.of(client, verifiedName)) {
            aggregates.computeIfAbsent(source, s -> new ConcurrentHashMap<>()).merge(host,
                    Aggregate.first(source, address, nullSender, at), (old, fresh) -> old.plus(address, nullSender, at));
            changes.changed(AGGREGATE + host + ":" + source);
        }
    }

    /** The sum of every host's catches in the source, or null. */
    Aggregate aggregate(String source) {
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

    boolean covered(String source) {
        return covered.get(source) != null;
    }

    List<Block> blocks() {
        return new ArrayList<>(blocks.values());
    }

    Block block(String target) {
        return blocks.get(target);
    }

    void putBlock(Block block) {
        blocks.put(block.target(), block);
        changes.changed(BLOCK + block.target());
        blockListeners.changed();
    }

    boolean removeBlock(String target) {
        boolean removed = blocks.remove(target) != null;
        if (removed) {
            changes.changed(BLOCK + target);
            blockListeners.changed();
        }
        return removed;
    }

    void onBlocksChanged(Runnable listener) {
        blockListeners.add(listener);
    }

    /** Tells the block listeners (after blocks changed through {@link #apply} or a reload). */
    void blocksChanged() {
        blockListeners.changed();
    }

    /** Drops what has expired at {@code now}, reporting each key as {@linkplain Changes#expired expired}. */
    void purge(Instant now) {
        Instant contactsBefore = now.minus(settings.contactRetention());
        Instant attemptsBefore = now.minus(settings.attemptRetention());
        Instant aggregatesBefore = now.minus(settings.aggregateRetention());
        long contactsBeforeMillis = contactsBefore.toEpochMilli();
        contacts.entrySet().removeIf(e -> expired(e.getValue().atMillis() < contactsBeforeMillis, CONTACT, text(e.getKey())));
        attempts.entrySet().removeIf(e -> expired(e.getValue().newest().isBefore(attemptsBefore), ATTEMPTS, text(e.getKey())));
        for (Map.Entry<Object, Attempts> e : attempts.entrySet()) {
            Attempts kept = e.getValue().since(attemptsBefore);
            if (kept != e.getValue() && kept != null && attempts.replace(e.getKey(), e.getValue(), kept)) {
                changes.changed(ATTEMPTS + text(e.getKey()));
            }
        }
        credits.entrySet().removeIf(e -> expired(!e.getValue().isAfter(now), CREDIT, text(e.getKey())));
        for (Map.Entry<String, Map<String, Aggregate>> bySource : aggregates.entrySet()) {
            bySource.getValue().entrySet().removeIf(e -> expired(e.getValue().last().isBefore(aggregatesBefore),
                    AGGREGATE, e.getKey() + ":" + bySource.getKey()));
        }
        aggregates.values().removeIf(Map::isEmpty);
        Instant coveredBefore = now.minus(settings.coveredRetention());
        covered.entrySet().removeIf(e -> expired(e.getValue().isBefore(coveredBefore), COVERED, e.getKey()));
        if (blocks.entrySet().removeIf(e -> expired(e.getValue().expired(now), BLOCK, e.getKey()))) {
            blockListeners.changed();
        }
    }

    private boolean expired(boolean expired, String kind, Object key) {
        if (expired) {
            changes.expired(kind + key);
        }
        return expired;
    }

    /** The current value of one key as this host holds it, or null when it holds none. */
    Current current(String key) {
        if (key.length() < 2) {
            return null;
        }
        String rest = key.substring(2);
        return switch (key.substring(0, 2)) {
            case CONTACT -> {
                Seen s = contacts.get(key(Cidr.parse(rest)));
                yield s == null ? null : new Current(StoreCodec.contact(s.contact()),
                        Instant.ofEpochMilli(s.atMillis()).plus(settings.contactRetention()));
            }
            case ATTEMPTS -> {
                Attempts a = attempts.get(key(Cidr.parse(rest)));
                yield a == null ? null : new Current(a.text(), a.newest().plus(settings.attemptRetention()));
            }
            case CREDIT -> {
                Instant until = credits.get(key(Cidr.parse(rest)));
                yield until == null ? null : new Current(until.toString(), until);
            }
            case AGGREGATE -> {
                int colon = rest.indexOf(':');
                Map<String, Aggregate> byHost = colon < 0 ? null : aggregates.get(rest.substring(colon + 1));
                Aggregate a = byHost == null ? null : byHost.get(rest.substring(0, colon));
                yield a == null ? null
                        : new Current(StoreCodec.aggregate(a), a.last().plus(settings.aggregateRetention()));
            }
            case COVERED -> {
                Instant at = covered.get(rest);
                yield at == null ? null : new Current(at.toString(), at.plus(settings.coveredRetention()));
            }
            case BLOCK -> {
                Block b = blocks.get(rest);
                yield b == null ? null : new Current(StoreCodec.block(b), b.expires());
            }
            default -> null;
        };
    }

    /**
     * Merges one key's value from the store file or another host into memory (null: the key was
     * deleted, which only blocks heed). Returns true when the blocks changed; the caller tells the
     * listeners (once for a batch).
     *
     * @throws RuntimeException when the text cannot be read
     */
    boolean apply(String key, String text) {
        if (key.length() < 2) {
            return false;
        }
        String rest = key.substring(2);
        switch (key.substring(0, 2)) {
            case CONTACT -> {
                if (text != null) {
                    contacts.merge(key(Cidr.parse(rest)), Seen.of(StoreCodec.contact(text)), Seen::newer);
                }
            }
            case ATTEMPTS -> {
                if (text != null) {
                    attempts.merge(key(Cidr.parse(rest)), Attempts.parse(text), Attempts::union);
                }
            }
            case CREDIT -> {
                if (text != null) {
                    credits.merge(key(Cidr.parse(rest)), Instant.parse(text), LocalView::later);
                }
            }
            case AGGREGATE -> {
                int colon = rest.indexOf(':');
                if (text != null && colon > 0) {
                    String source = rest.substring(colon + 1);
                    Aggregate fresh = StoreCodec.aggregate(source, text);
                    aggregates.computeIfAbsent(source, s -> new ConcurrentHashMap<>()).merge(rest.substring(0, colon),
                            fresh, (old, f) -> f.attempts() >= old.attempts() ? f : old);
                }
            }
            case COVERED -> {
                if (text != null) {
                    covered.merge(rest, Instant.parse(text), LocalView::later);
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

    /** Drops the blocks that {@code keep} refuses; true when any was dropped (the caller tells the listeners). */
    boolean retainBlocks(Predicate<String> keep) {
        return blocks.keySet().removeIf(target -> !keep.test(target));
    }

    /** Every key this host holds, for a store that must write all of it again. */
    void forEachKey(Consumer<String> key) {
        contacts.keySet().forEach(k -> key.accept(CONTACT + text(k)));
        attempts.keySet().forEach(k -> key.accept(ATTEMPTS + text(k)));
        credits.keySet().forEach(k -> key.accept(CREDIT + text(k)));
        aggregates.forEach((source, byHost) -> byHost.keySet().forEach(h -> key.accept(AGGREGATE + h + ":" + source)));
        covered.keySet().forEach(k -> key.accept(COVERED + k));
        blocks.keySet().forEach(k -> key.accept(BLOCK + k));
    }

    /** "contacts 12, attempts 3, ...": for {@code mxguard block list} and logs. */
    String counts() {
        return "contacts " + contacts.size() + ", attempts " + attempts.size() + ", credits " + credits.size()
                + ", sources " + aggregates.size() + ", covered sources " + covered.size() + ", blocks "
                + blocks.size();
    }

    private static Instant later(Instant a, Instant b) {
        return b.isAfter(a) ? b : a;
    }
}
