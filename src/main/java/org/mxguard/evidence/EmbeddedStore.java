package org.mxguard.evidence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evidence store on local disk: the {@link LocalView} in memory, which every decision reads,
 * written behind to H2's MVStore file {@code evidence.mv.db} ({@link EvidenceFile}) in the configured
 * directory. A change hands its key to a bounded set ({@link ChangedKeys}) and returns; a writer
 * thread writes the keys' current values every {@link StoreSettings#writeInterval()} and commits.
 * MVStore appends committed chunks and finds the last complete one when it opens, so a {@code kill -9}
 * loses at most the changes of the last interval and never the file. Expired entries are purged
 * once a minute.
 */
public final class EmbeddedStore extends LocalViewStore {

    /** The store file's name inside the directory. */
    public static final String FILE_NAME = "evidence.mv.db";

    /**
     * Changes waiting for the writer, at most: 40 MB or so of keys, two minutes of 20,000 new
     * clients a second (each a contact, sometimes a new network too) with the disk stalled.
     */
    static final int PENDING_CAPACITY = 1 << 21;

    /** The host name under which the embedded store keeps its aggregates (the fleet's are per host). */
    private static final String HOST = "local";
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStore.class);
    private static final long PURGE_EVERY_MILLIS = 60_000;

    private final StoreSettings settings;
    private final Clock clock;
    private final EvidenceFile file;
    private final ChangedKeys pending;
    private final LocalView view;
    private final Thread writer;
    private volatile boolean closed;
    /** Whether the last write pass succeeded. */
    private volatile boolean writing = true;

    private EmbeddedStore(StoreSettings settings, Clock clock, EvidenceFile file, int capacity) {
        this.settings = settings;
        this.clock = clock;
        this.file = file;
        this.pending = new ChangedKeys("evidence store " + file.path(), capacity);
        this.view = new LocalView(settings, HOST, clock, new LocalView.Changes() {
            @Override
            public void changed(String key) {
                pending.add(key);
            }

            @Override
            public void expired(String key) {
                pending.add(key);
            }
        });
        writer = Thread.ofPlatform().daemon().name("evidence-writer").unstarted(this::writeLoop);
    }

    /**
     * Opens (or creates) the store in {@code settings.directory()} and starts its writer.
     *
     * @throws IOException when the directory cannot be made or the file is locked or unreadable
     */
    public static EmbeddedStore open(StoreSettings settings, Clock clock) throws IOException {
        return open(settings, clock, PENDING_CAPACITY);
    }

    /** As {@link #open(StoreSettings, Clock)}, with at most {@code capacity} changes waiting for the writer. */
    static EmbeddedStore open(StoreSettings settings, Clock clock, int capacity) throws IOException {
        Files.createDirectories(settings.directory());
        Path path = settings.directory().resolve(FILE_NAME);
        EvidenceFile file = EvidenceFile.open(path);
        EmbeddedStore opened = new EmbeddedStore(settings, clock, file, capacity);
        List<String> migrated = file.load(opened.view, HOST);
        if (!migrated.isEmpty()) {
            // An earlier version's layout: written again in this one before its maps go.
            file.write(migrated.iterator(), opened.view);
            file.dropOldMaps();
            file.commit();
            LOG.info("evidence store {}: {} entries moved to the write-ordered layout", path, migrated.size());
        }
        opened.purge(clock.instant());
        opened.writer.start();
        LOG.info("evidence store {}: {}", path, opened.describe());
        return opened;
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

    /**
     * Writes what changed and commits. Only the writer and {@link #close} call it (and tests): the
     * threads that record evidence never wait for it.
     */
    @Override
    LocalView view() {
        return view;
    }

    @Override
    public synchronized void flush() {
        if (file.isClosed()) {
            return;
        }
        if (file.write(pending.drain(), view) > 0) {
            file.commit();
        }
    }

    @Override
    public boolean healthy() {
        return writing;
    }

    @Override
    public long droppedChanges() {
        return pending.dropped();
    }

    /** Changes waiting for the writer now. */
    public int pendingChanges() {
        return pending.size();
    }

    @Override
    public String describe() {
        return view.counts();
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
            file.close();
        }
    }
}
