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
 *
 * <p>Opened by {@link #openLoadingLater}, the store reads only its blocks before returning, and the
 * rest (a million clients take seconds) on the writer's thread once {@link #startLoading} is called,
 * after the server listens. Meanwhile it says it is {@linkplain #loading() loading}: what it does not
 * hold yet proves nothing, and the MX-skip rule refuses no one for lack of a contact. Evidence
 * recorded meanwhile is merged with what is read (the later contact, the union of attempts), and the
 * writer writes nothing before the read is done, so no older entry replaces a newer one.
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
    /** True until the file is read whole (for ever when reading it failed: the rule stays on the safe side). */
    private volatile boolean loading;
    /** True once the reader is done, whether it read the file whole or failed. */
    private volatile boolean readOver;
    /** Entries of the file read so far, and in all, while {@link #loading}. */
    private volatile long entriesRead;
    private volatile long entriesInFile;

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
        EmbeddedStore opened = openLoadingLater(settings, clock, capacity);
        if (opened.loading) {
            opened.loadRest(false);
            opened.readOver = true;
        }
        opened.startLoading();
        return opened;
    }

    /**
     * Opens (or creates) the store and reads its blocks; the rest is read by {@link #startLoading}
     * in the background. A file written by an earlier version, which kept its blocks among the rest,
     * is read whole here (once: it is then written in this version's layout).
     *
     * @throws IOException when the directory cannot be made or the file is locked or unreadable
     */
    public static EmbeddedStore openLoadingLater(StoreSettings settings, Clock clock) throws IOException {
        return openLoadingLater(settings, clock, PENDING_CAPACITY);
    }

    static EmbeddedStore openLoadingLater(StoreSettings settings, Clock clock, int capacity) throws IOException {
        Files.createDirectories(settings.directory());
        Path path = settings.directory().resolve(FILE_NAME);
        EvidenceFile file = EvidenceFile.open(path);
        EmbeddedStore opened = new EmbeddedStore(settings, clock, file, capacity);
        if (file.blocksApart()) {
            file.loadBlocks(opened.view);
            // A new or empty file has nothing more to read: the rule applies from the first client.
            opened.loading = file.logSize() > 0;
            opened.readOver = !opened.loading;
        } else {
            opened.loading = true;
            LOG.info("evidence store {}: written by an earlier version, read whole before listening", path);
            opened.loadRest(false);
            opened.readOver = true;
        }
        return opened;
    }

    /**
     * Reads the file's entries (its blocks apart) into memory, merged with what was recorded
     * meanwhile, then purges what expired. On the writer's thread, before it writes anything, or on
     * the opener's before the writer starts.
     */
    private void loadRest(boolean background) {
        long start = System.nanoTime();
        entriesInFile = file.logSize();
        if (background) {
            LOG.info("evidence store {}: reading {} entries in the background; until done the MX-skip rule "
                    + "refuses no client for lack of a primary contact (store_loading)", file.path(), entriesInFile);
        }
        List<String> migrated = file.load(view, HOST, n -> {
            entriesRead = n;
            return !closed;
        });
        if (closed) {
            LOG.info("evidence store {}: closed after reading {} of {} entries", file.path(), entriesRead,
                    entriesInFile);
            return;
        }
        if (!migrated.isEmpty()) {
            // An earlier version's layout: written again in this one before its maps go.
            file.write(migrated.iterator(), view);
            file.dropOldMaps();
            LOG.info("evidence store {}: {} entries moved to this version's layout", file.path(), migrated.size());
        }
        file.commit();
        view.blocksChanged();
        purge(clock.instant());
        loading = false;
        LOG.info("evidence store {}: read {} entries in {} ms: {}", file.path(), entriesInFile,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), describe());
    }

    /**
     * Starts the writer, which first reads what the file holds if the opener did not. Call it once
     * the server listens; until then changes wait in memory. Does nothing the second time.
     */
    @Override
    public synchronized void startLoading() {
        if (writer.getState() == Thread.State.NEW && !closed) {
            writer.start();
        }
    }

    @Override
    public boolean loading() {
        return loading;
    }

    private void writeLoop() {
        if (loading) {
            try {
                loadRest(true);
            } catch (RuntimeException e) {
                // The file went bad under the reader: what was read stays, and the rule goes on
                // passing clients for lack of contact, which is the safe side.
                LOG.error("evidence store {}: reading failed after {} of {} entries, the rest is not used and the "
                        + "MX-skip rule refuses no client for lack of a contact until a restart: {}",
                        file.path(), entriesRead, entriesInFile, e.toString());
            }
            readOver = true;
        }
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
        // While loading, the file's older entries are not all known: a write now would leave them
        // beside the new ones. The writer writes what waits once the read is done.
        if (file.isClosed() || !readOver && !closed) {
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
        return view.counts() + (!loading ? "" : readOver ? "; reading the file failed after " + entriesRead
                + " entries" : "; loading, " + entriesRead + " of " + entriesInFile + " entries read");
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
