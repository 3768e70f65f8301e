package org.mxguard.spool;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import com.google.common.io.ByteStreams;
import org.mxguard.mail.Envelope;
import org.mxguard.mail.QueueId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool as files in one directory (layout in {@link SpoolLayout}, format in
 * docs/spool-format.md). A message is one immutable file holding its envelope and content, made
 * part of the queue by one atomic rename after an fsync; its delivery state is a second, small file
 * replaced by rename on every update, and absent until the first update, so a commit writes one file.
 *
 * <p>Message states, as the files show them:
 * <pre>
 *   writing    incoming/ID.msg.tmp          begin() .. commit()       recovery deletes it
 *   queued     queue/ID.msg [+ ID.state]    commit() .. remove()      recovery lists it
 *   removing   queue/ID.state alone         inside remove()           recovery deletes it
 *   damaged    corrupt/ID.msg [+ ID.state]  a queue file found unreadable, at recovery or by load()
 * </pre>
 *
 * <p>A queue file damaged while the server runs (cut short, overwritten, its header unreadable) is
 * quarantined by the first {@link #load} that meets it, as recovery does at start: moved to
 * {@code corrupt/} for a person to look at, never deleted, and no longer queued, so the rest of the
 * queue is served. A damaged state file is dropped, so every recipient is tried again (a duplicate
 * at worst, never a loss).
 *
 * <p>Thread-safe. Contents are streamed to and from disk, never held in memory; the spool keeps only
 * the ids it must skip. One process per directory, enforced by a lock on the {@code lock} file.
 */
public final class FileSpool implements Spool {

    private static final Logger LOG = LoggerFactory.getLogger(FileSpool.class);
    private static final int STRIPES = 64;

    private final SpoolSettings settings;
    private final SpoolLayout layout;
    private final QueueIdSource ids;
    private final FreeSpace freeSpace;
    private final FileChannel lockChannel;
    private final Set<QueueId> leftAlone = ConcurrentHashMap.newKeySet();
    private final Set<QueueId> committing = ConcurrentHashMap.newKeySet();
    /**
     * The ids that have a state file, known once {@link #recover()} has run (only this process
     * writes the spool, under its lock). Most messages are delivered at the first attempt and never
     * get one; knowing that saves a failing open at each load and a failing unlink at each removal.
     */
    private final Set<QueueId> withState = ConcurrentHashMap.newKeySet();
    private volatile boolean statesKnown;
    private final AtomicLong stateSerial = new AtomicLong();
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    private volatile boolean closed;
    /** The commit journal, or null when commits fsync each message file (see SpoolSettings). */
    private final CommitJournal journal;
    /** True once {@link #recover()} has replayed the journal: only then do commits use it. */
    private volatile boolean journalReady;

    private FileSpool(SpoolSettings settings, SpoolLayout layout, QueueIdSource ids, FreeSpace freeSpace,
            FileChannel lockChannel, CommitJournal journal) {
        this.journal = journal;
        this.settings = settings;
        this.layout = layout;
        this.ids = ids;
        this.freeSpace = freeSpace;
        this.lockChannel = lockChannel;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /**
     * Opens (creating if needed) the spool directory and locks it. Call {@link #recover()} next.
     *
     * @throws IOException if the directory cannot be created or another process has it open
     */
    public static FileSpool open(SpoolSettings settings, Clock clock) throws IOException {
        return open(settings, clock, null);
    }

    /** As {@link #open(SpoolSettings, Clock)}, with a stand-in for the file system's free space. */
    static FileSpool open(SpoolSettings settings, Clock clock, FreeSpace.Probe probe) throws IOException {
        return open(settings, clock, probe, CommitJournal.DEFAULT_SEGMENT_SIZE);
    }

    /** As above, with journal segments of the given size. */
    static FileSpool open(SpoolSettings settings, Clock clock, FreeSpace.Probe probe, int journalSegmentSize)
            throws IOException {
        SpoolLayout layout = new SpoolLayout(settings.directory().toAbsolutePath());
        Files.createDirectories(layout.incoming());
        Files.createDirectories(layout.queue());
        FileChannel lockChannel = FileChannel.open(layout.lockFile(), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        try {
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new IOException("spool " + layout.root() + " is in use by another mxguard (" + layout.lockFile()
                        + " is locked)");
            }
            if (settings.fsync()) {
                // The directories themselves must survive a crash before anything is renamed into them.
                syncDirectory(layout.root());
            }
            QueueIdSource ids = new QueueIdSource(clock);
            FreeSpace space = new FreeSpace(probe != null ? probe : FreeSpace.of(layout.queue()),
                    settings.minFreeBytes());
            CommitJournal journal = null;
            if (settings.fsync() && settings.commitJournal() && FileSystemSync.available().isPresent()) {
                journal = CommitJournal.open(layout.journal(), layout.root(), FileSystemSync.available().get(),
                        journalSegmentSize);
            }
            FileSpool spool = new FileSpool(settings, layout, ids, space, lockChannel, journal);
            spool.seedIds();
            return spool;
        } catch (IOException | RuntimeException e) {
            lockChannel.close();
            throw e;
        }
    }

    /** Ids made from now on sort after every id on disk, whatever the clock says. */
    private void seedIds() throws IOException {
        for (Path dir : List.of(layout.queue(), layout.incoming())) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    SpoolLayout.QueueName queued = SpoolLayout.parseQueueName(name);
                    QueueId id = queued != null ? queued.id() : SpoolLayout.parseTempName(name);
                    if (id != null) {
                        ids.notBefore(id);
                    }
                }
            }
        }
    }

    @Override
    public MessageWriter begin(Envelope envelope) throws IOException {
        checkOpen();
        QueueId id = ids.next();
        MessageHeader.Draft draft;
        try {
            draft = MessageHeader.draft(id, envelope);
        } catch (IllegalArgumentException e) {
            // An IOException, so the session answers 451 and the client keeps the message.
            throw new IOException("cannot spool this envelope: " + e.getMessage(), e);
        }
        freeSpace.require("begin of " + id);
        return IncomingMessage.create(id, draft, this);
    }

    @Override
    public List<QueueId> recover() throws IOException {
        checkOpen();
        if (journal != null && !journalReady) {
            restoreFromJournal();
            journal.start();
            journalReady = true;
        }
        SpoolRecovery recovery = new SpoolRecovery(layout);
        SpoolRecovery.Result result = recovery.run();
        if (recovery.changed() && settings.fsync()) {
            syncDirectory(layout.incoming());
            syncDirectory(layout.queue());
            if (Files.isDirectory(layout.corrupt())) {
                syncDirectory(layout.corrupt());
                syncDirectory(layout.root());
            }
        }
        leftAlone.clear();
        leftAlone.addAll(result.leftAlone());
        withState.clear();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(layout.queue(), "*" + SpoolLayout.STATE_SUFFIX)) {
            for (Path entry : entries) {
                SpoolLayout.QueueName name = SpoolLayout.parseQueueName(entry.getFileName().toString());
                if (name != null && !name.message()) {
                    withState.add(name.id());
                }
            }
        }
        statesKnown = true;
        if (result.newest() != null) {
            ids.notBefore(result.newest());
        }
        return result.committed();
    }

    @Override
    public List<QueueId> list() throws IOException {
        checkOpen();
        List<QueueId> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(layout.queue(), "*" + SpoolLayout.MESSAGE_SUFFIX)) {
            for (Path entry : entries) {
                SpoolLayout.QueueName name = SpoolLayout.parseQueueName(entry.getFileName().toString());
                if (name != null && name.message() && !leftAlone.contains(name.id())
                        && !committing.contains(name.id())) {
                    found.add(name.id());
                }
            }
        }
        found.sort(null);
        return found;
    }

    @Override
    public Optional<QueuedMessage> load(QueueId id) throws IOException {
        checkOpen();
        MessageHeader header;
        try {
            header = MessageHeader.readFile(id, layout.message(id));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (SpoolFormatException e) {
            if (e.unsupportedVersion()) {
                throw e;
            }
            quarantine(id, e);
            return Optional.empty();
        }
        DeliveryState initial = DeliveryState.initial(header.envelope().recipients(), header.envelope().received());
        if (statesKnown && !withState.contains(id)) {
            return Optional.of(new QueuedMessage(id, header.envelope(), header.size(), initial));
        }
        DeliveryState state;
        Path stateFile = layout.state(id);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(stateFile), 4096)) {
            state = StateFile.read(in);
        } catch (NoSuchFileException e) {
            state = initial;
        } catch (SpoolFormatException e) {
            if (e.unsupportedVersion()) {
                throw e.in(stateFile);
            }
            LOG.error("spool_damaged_state path={} action=deleted_retry_all_recipients reason=\"{}\"", stateFile,
                    e.getMessage());
            Files.deleteIfExists(stateFile);
            state = initial;
        }
        return Optional.of(new QueuedMessage(id, header.envelope(), header.size(), state));
    }

    @Override
    public InputStream openContent(QueueId id) throws IOException {
        checkOpen();
        Path file = layout.message(id);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            InputStream in = new BufferedInputStream(Channels.newInputStream(channel), 32 * 1024);
            MessageHeader header = MessageHeader.read(in);
            MessageHeader.check(id, header, channel.size());
            return ByteStreams.limit(in, header.size());
        } catch (SpoolFormatException e) {
            channel.close();
            throw e.in(file);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public Optional<DeliveryState> update(QueueId id, UnaryOperator<DeliveryState> change) throws IOException {
        checkOpen();
        ReentrantLock lock = stripe(id);
        lock.lock();
        try {
            Optional<QueuedMessage> current = load(id);
            if (current.isEmpty()) {
                return Optional.empty();
            }
            DeliveryState old = current.get().state();
            DeliveryState changed = change.apply(old);
            if (!changed.equals(old)) {
                writeState(id, changed);
            }
            return Optional.of(changed);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Replaces the state file. The caller holds the message's stripe lock and has seen the message,
     * so {@link #remove} cannot run in between.
     */
    private void writeState(QueueId id, DeliveryState state) throws IOException {
        byte[] text = StateFile.encode(state);
        Path temp = layout.incomingState(id, stateSerial.incrementAndGet());
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(channel);
                out.write(text);
                if (settings.fsync()) {
                    channel.force(true);
                }
            }
            Files.move(temp, layout.state(id), StandardCopyOption.ATOMIC_MOVE);
            withState.add(id);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw FreeSpace.classify(e instanceof IOException io ? io : new IOException(e));
        }
        syncQueue();
    }

    @Override
    public void remove(QueueId id) throws IOException {
        checkOpen();
        ReentrantLock lock = stripe(id);
        lock.lock();
        try {
            // The message goes first: a crash between the two leaves an orphan state, which recovery
            // deletes, never a message without its state, which would be delivered again to everyone.
            // No directory fsync: like Postfix's qmgr, a removal is not made durable. After a power
            // loss a delivered message may come back and be delivered again (a duplicate, which
            // RFC 5321 §6.1 prefers to a loss); a journal flush per delivered message is saved.
            // With the journal, the removal is noted first: after a crash in between, the replay
            // finishes the removal instead of restoring the message without its state.
            if (journalReady) {
                journal.removed(id);
            }
            Files.deleteIfExists(layout.message(id));
            if (withState.remove(id) || !statesKnown) {
                Files.deleteIfExists(layout.state(id));
            }
            leftAlone.remove(id);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Puts back every message the journal says was committed and not removed whose file did not
     * survive whole (a power loss before the checkpoint), and deletes the files of messages it says
     * were removed (an unlink that did not survive). {@link CommitJournal#start()} then makes it all durable.
     */
    private void restoreFromJournal() throws IOException {
        CommitJournal.Replay replay = journal.read();
        for (QueueId id : replay.removed()) {
            Files.deleteIfExists(layout.message(id));
            Files.deleteIfExists(layout.state(id));
        }
        for (Map.Entry<QueueId, byte[]> e : replay.committed().entrySet()) {
            QueueId id = e.getKey();
            if (replay.removed().contains(id)) {
                continue;
            }
            Path file = layout.message(id);
            if (Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), e.getValue())) {
                continue;
            }
            Path temp = layout.incomingMessage(id);
            Files.deleteIfExists(temp);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(e.getValue());
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            LOG.warn("{}: restored from the spool's commit journal", id);
        }
    }

    /** The journal to commit through, or null: not ready, or the message is too large for it. */
    CommitJournal journalFor(long fileLength) {
        return journalReady && fileLength <= journal.maxRecord() ? journal : null;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (journal != null) {
            journal.close();
        }
        lockChannel.close();
    }

    SpoolLayout layout() {
        return layout;
    }

    FreeSpace freeSpace() {
        return freeSpace;
    }

    boolean fsyncs() {
        return settings.fsync();
    }

    /**
     * Makes renames and unlinks in queue/ durable. Called by each committer in its own thread, with
     * no lock: concurrent fsyncs on ext4, XFS and btrfs wait for one shared journal commit (the file
     * system's group commit), so they cost one flush per batch, not per message. A user-space round
     * that let one leader fsync for all waiters was measured 7-18% slower at 10 sessions and no
     * faster at 50 (docs/spool-format.md), as it adds a thread hand-off to every batch.
     *
     * <p>A fresh descriptor each time: a shared FileChannel would be closed for good by the first
     * session thread interrupted inside force().
     */
    boolean syncsDirectory() {
        return settings.fsync() && settings.syncDirectory();
    }

    void syncQueue() throws IOException {
        if (settings.fsync()) {
            syncDirectory(layout.queue());
        }
    }

    /** Marks an id whose rename into queue/ is not yet durable, so {@link #list()} does not show it early. */
    void committing(QueueId id, boolean inProgress) {
        if (inProgress) {
            committing.add(id);
        } else {
            committing.remove(id);
        }
    }

    /** Moves a damaged message and its state to corrupt/ under the message's lock, unless it is gone already. */
    private void quarantine(QueueId id, SpoolFormatException reason) throws IOException {
        ReentrantLock lock = stripe(id);
        lock.lock();
        try {
            Path corrupt = layout.corrupt();
            Files.createDirectories(corrupt);
            boolean moved = false;
            for (Path file : List.of(layout.message(id), layout.state(id))) {
                try {
                    Files.move(file, corrupt.resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE);
                    moved |= file.equals(layout.message(id));
                } catch (NoSuchFileException gone) {
                    continue;
                }
            }
            withState.remove(id);
            syncDirectory(layout.queue());
            syncDirectory(corrupt);
            if (moved) {
                LOG.error("spool_damaged_message id={} action=moved_to_corrupt dir={} reason=\"{}\"", id, corrupt,
                        reason.getMessage());
            }
        } finally {
            lock.unlock();
        }
    }

    private ReentrantLock stripe(QueueId id) {
        return stripes[Math.floorMod(id.hashCode(), STRIPES)];
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("spool " + layout.root() + " is closed");
        }
    }

    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
