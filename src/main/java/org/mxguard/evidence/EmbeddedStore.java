package org.mxguard.evidence;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.mxguard.policy.Cidr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evidence store on local disk: H2's MVStore file {@code evidence.mv.db} in the configured
 * directory, with everything also held in memory. Decisions read memory only; a writer thread copies
 * changes to the file every {@link StoreSettings#writeInterval()} and commits. MVStore appends
 * committed chunks and finds the last complete one when it opens, so a {@code kill -9} loses at most
 * the changes of the last interval and never the file. Expired entries are purged once a minute.
 */
public final class EmbeddedStore implements EvidenceStore {

    /** The store file's name inside the directory. */
    public static final String FILE_NAME = "evidence.mv.db";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStore.class);
    private static final long PURGE_EVERY_MILLIS = 60_000;

    private final StoreSettings settings;
    private final Clock clock;
    private final MVStore store;
    private final PersistentTable<Cidr, PrimaryContact> contacts;
    private final PersistentTable<Cidr, Attempts> attempts;
    private final PersistentTable<Cidr, Instant> credits;
    private final PersistentTable<String, Aggregate> aggregates;
    private final PersistentTable<String, Instant> covered;
    private final PersistentTable<String, Block> blocks;
    private final List<PersistentTable<?, ?>> tables;
    private final BlockListeners blockListeners = new BlockListeners();
    private final Thread writer;
    private volatile boolean closed;
    /** Whether the last write pass succeeded. */
    private volatile boolean writing = true;

    private EmbeddedStore(StoreSettings settings, Clock clock, MVStore store) {
        this.settings = settings;
        this.clock = clock;
        this.store = store;
        contacts = new PersistentTable<>(store, "contacts", Cidr::toString, StoreCodec::contact, Cidr::parse,
                (k, v) -> StoreCodec.contact(v));
        attempts = new PersistentTable<>(store, "attempts", Cidr::toString, Attempts::text, Cidr::parse,
                (k, v) -> Attempts.parse(v));
        credits = new PersistentTable<>(store, "credits", Cidr::toString, Instant::toString, Cidr::parse,
                (k, v) -> Instant.parse(v));
        aggregates = new PersistentTable<>(store, "aggregates", s -> s, StoreCodec::aggregate, s -> s,
                StoreCodec::aggregate);
        covered = new PersistentTable<>(store, "covered", s -> s, Instant::toString, s -> s, (k, v) -> Instant.parse(v));
        blocks = new PersistentTable<>(store, "blocks", s -> s, StoreCodec::block, s -> s, StoreCodec::block);
        tables = List.of(contacts, attempts, credits, aggregates, covered, blocks);
        writer = Thread.ofPlatform().daemon().name("evidence-writer").unstarted(this::writeLoop);
    }

    /**
     * Opens (or creates) the store in {@code settings.directory()} and starts its writer.
     *
     * @throws IOException when the directory cannot be made or the file is locked or unreadable
     */
    public static EmbeddedStore open(StoreSettings settings, Clock clock) throws IOException {
        Files.createDirectories(settings.directory());
        Path file = settings.directory().resolve(FILE_NAME);
        MVStore store;
        try {
            store = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
        } catch (MVStoreException e) {
            throw new IOException("evidence store " + file + ": " + e.getMessage(), e);
        }
        EmbeddedStore opened = new EmbeddedStore(settings, clock, store);
        opened.purge(clock.instant());
        opened.writer.start();
        LOG.info("evidence store {}: {}", file, opened.describe());
        return opened;
    }

    private Cidr group(InetAddress client) {
        Cidr address = Cidr.of(client);
        return address.truncate(address.v4() ? settings.groupV4() : settings.groupV6());
    }

    @Override
    public void record(PrimaryContact contact) {
        contacts.merge(group(contact.client()), contact, (old, fresh) -> fresh.at().isBefore(old.at()) ? old : fresh);
        for (String source : Sources.of(contact.client(), contact.clientName())) {
            cover(source, contact.at());
        }
    }

    private void cover(String source, Instant at) {
        covered.merge(source, at, (old, fresh) -> fresh.isAfter(old) ? fresh : old);
    }

    @Override
    public PrimaryContact lastContact(InetAddress client) {
        return contacts.get(group(client));
    }

    @Override
    public Instant attempt(InetAddress client, String sender, String recipient, Instant at) {
        long pair = Attempts.hash(sender, recipient);
        Instant expiredBefore = at.minus(settings.attemptRetention());
        Attempts now = attempts.merge(group(client), Attempts.NONE.with(pair, at, expiredBefore),
                (old, fresh) -> old.with(pair, at, expiredBefore));
        Instant first = now.first(pair);
        // Null: the client's table is full of pairs still waiting for their retry; this one is not kept.
        return first == null || first.isAfter(at) ? at : first;
    }

    @Override
    public void grantCredit(InetAddress client, Instant until) {
        credits.merge(group(client), until, (old, fresh) -> fresh.isAfter(old) ? fresh : old);
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
        // Distinct clients are distinct groups: the addresses of one IPv6 /64 are one client.
        String address = group(client).toString();
        for (String source : Sources.of(client, verifiedName)) {
            aggregates.merge(source, Aggregate.first(source, address, nullSender, at),
                    (old, fresh) -> old.plus(address, nullSender, at));
        }
    }

    @Override
    public Aggregate aggregate(String source) {
        return aggregates.get(source);
    }

    @Override
    public boolean covered(String source) {
        return covered.get(source) != null;
    }

    @Override
    public List<Block> blocks() {
        List<Block> out = new ArrayList<>();
        blocks.values().forEach(out::add);
        return out;
    }

    @Override
    public Block block(String target) {
        return blocks.get(target);
    }

    @Override
    public void putBlock(Block block) {
        blocks.put(block.target(), block);
        blockListeners.changed();
    }

    @Override
    public boolean removeBlock(String target) {
        boolean removed = blocks.remove(target);
        if (removed) {
            blockListeners.changed();
        }
        return removed;
    }

    @Override
    public void onBlocksChanged(Runnable listener) {
        blockListeners.add(listener);
    }

    @Override
    public void purge(Instant now) {
        Instant contactsBefore = now.minus(settings.contactRetention());
        Instant attemptsBefore = now.minus(settings.attemptRetention());
        Instant aggregatesBefore = now.minus(settings.aggregateRetention());
        contacts.removeIf((k, c) -> c.at().isBefore(contactsBefore));
        attempts.removeIf((k, a) -> a.newest().isBefore(attemptsBefore));
        attempts.replaceAll((k, a) -> a.since(attemptsBefore));
        credits.removeIf((k, until) -> !until.isAfter(now));
        aggregates.removeIf((k, a) -> a.last().isBefore(aggregatesBefore));
        // A source stays covered as long as the longest-lived reason for it (contact or credit) could.
        Instant coveredBefore = now.minus(settings.contactRetention().compareTo(settings.attemptRetention()) > 0
                ? settings.contactRetention() : settings.attemptRetention());
        covered.removeIf((k, at) -> at.isBefore(coveredBefore));
        if (blocks.removeIf((k, b) -> b.expired(now)) > 0) {
            blockListeners.changed();
        }
    }

    private void writeLoop() {
        long nextPurge = clock.millis() + PURGE_EVERY_MILLIS;
        while (!closed) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(settings.writeInterval().toMillis()));
            try {
                if (clock.millis() >= nextPurge) {
                    purge(clock.instant());
                    nextPurge = clock.millis() + PURGE_EVERY_MILLIS;
                }
                flush();
                writing = true;
            } catch (RuntimeException e) {
                // A full disk must not stop the SMTP path: memory still answers, the next pass retries.
                writing = false;
                LOG.error("evidence store: write failed, will retry: {}", e.toString());
            }
        }
    }

    @Override
    public synchronized void flush() {
        if (store.isClosed()) {
            return;
        }
        int written = 0;
        for (PersistentTable<?, ?> table : tables) {
            written += table.writeDirty();
        }
        if (written > 0) {
            store.commit();
        }
    }

    @Override
    public boolean healthy() {
        return writing;
    }

    @Override
    public String describe() {
        return "contacts " + contacts.size() + ", attempts " + attempts.size() + ", credits " + credits.size()
                + ", sources " + aggregates.size() + ", covered sources " + covered.size() + ", blocks "
                + blocks.size();
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
        synchronized (this) {
            flush();
            store.close();
        }
    }
}
