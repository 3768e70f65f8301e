package org.mxguard.spool;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import org.mxguard.mail.QueueId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit journal: group commit for the spool (docs/spool-format.md, "Commit journal").
 *
 * <p>A commit appends a copy of the message file to the journal and waits until the journal is
 * flushed (fdatasync); the message file itself is renamed into queue/ without an fsync of its own.
 * Sessions that commit at the same time share one flush: the first to ask flushes everything
 * appended so far, the others find their records already on disk. Journal segments are reused, so
 * after the first pass a flush writes data blocks only (no inode, no directory), which is what makes
 * a commit cheaper than an fsync of a new file even for a single client.
 *
 * <p>A full segment is retired; a background thread makes every file on the spool's file system
 * durable (syncfs, a checkpoint), after which the segment's records are no longer needed and it is
 * reused under a new sequence number. At start, {@link #replay} restores from the segments not yet
 * checkpointed every committed message whose file did not survive, unless the journal also says it
 * was removed.
 *
 * <p>Segment layout: a 64-octet header ({@code mxguard-journal 1}, the sequence number), then
 * records: magic, the segment's sequence number, body length, CRC32C of sequence number and body,
 * then the body (type {@code C} commit with the message file's bytes, or {@code R} removal; the
 * queue id). Reading stops at the first record that does not check out: an unfinished write, or
 * an older use of the segment.
 */
final class CommitJournal implements Closeable {

    static final int DEFAULT_SEGMENT_SIZE = 1 << 20;
    private static final Logger LOG = LoggerFactory.getLogger(CommitJournal.class);
    private static final int SEGMENT_HEADER = 64;
    private static final byte[] SEGMENT_MAGIC = "mxguard-journal 1\n".getBytes(StandardCharsets.US_ASCII);
    private static final int RECORD_MAGIC = 0x4D584A31;
    private static final int RECORD_HEADER = 4 + 8 + 4 + 4;
    private static final byte COMMIT = 'C';
    private static final byte REMOVE = 'R';
    private static final String SUFFIX = ".seg";

    private final Path directory;
    private final Path spoolRoot;
    private final FileSystemSync fileSystem;
    private final int segmentSize;

    private final ReentrantLock appendLock = new ReentrantLock();
    private final ReentrantLock flushLock = new ReentrantLock();
    private final Condition retiredOrClosed = appendLock.newCondition();
    private final List<Segment> slots = new ArrayList<>();
    private final Deque<Segment> free = new ArrayDeque<>();
    private final Deque<Segment> retired = new ArrayDeque<>();
    private Segment active;
    private long lastSequence;
    /** Journal positions: sequence number times segment size plus offset; monotonic. */
    private long appended;
    private volatile long flushed;
    private volatile IOException checkpointFailure;
    private boolean closed;
    private Thread checkpointer;

    private CommitJournal(Path directory, Path spoolRoot, FileSystemSync fileSystem, int segmentSize) {
        this.directory = directory;
        this.spoolRoot = spoolRoot;
        this.fileSystem = fileSystem;
        this.segmentSize = segmentSize;
    }

    /** The largest message file this journal takes; larger ones are fsynced on their own. */
    int maxRecord() {
        return segmentSize - SEGMENT_HEADER - RECORD_HEADER - 2 - 64;
    }

    /**
     * Opens the journal in {@code directory} (created if needed) and reads what it holds. Call
     * {@link #replay} before the first commit.
     */
    static CommitJournal open(Path directory, Path spoolRoot, FileSystemSync fileSystem, int segmentSize)
            throws IOException {
        boolean created = !Files.isDirectory(directory);
        Files.createDirectories(directory);
        if (created) {
            FileSpool.syncDirectory(spoolRoot);
        }
        CommitJournal journal = new CommitJournal(directory, spoolRoot, fileSystem, segmentSize);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            for (Path entry : entries) {
                journal.slots.add(new Segment(entry, FileChannel.open(entry, StandardOpenOption.READ,
                        StandardOpenOption.WRITE)));
            }
        } catch (IOException e) {
            journal.closeChannels();
            throw e;
        }
        journal.slots.sort(Comparator.comparing(s -> s.file.getFileName().toString()));
        return journal;
    }

    /** What the journal says happened since the last checkpoint. */
    record Replay(Map<QueueId, byte[]> committed, Set<QueueId> removed) {
    }

    /**
     * Reads every segment in sequence order: the messages committed and the removals noted since the
     * last checkpoint. Afterwards the caller restores what is missing, then calls {@link #start}.
     */
    Replay read() throws IOException {
        List<Segment> bySequence = new ArrayList<>();
        for (Segment s : slots) {
            s.sequence = readSequence(s.channel);
            lastSequence = Math.max(lastSequence, s.sequence);
            if (s.sequence > 0) {
                bySequence.add(s);
            }
        }
        bySequence.sort(Comparator.comparingLong(s -> s.sequence));
        Map<QueueId, byte[]> committed = new LinkedHashMap<>();
        Set<QueueId> removed = new HashSet<>();
        for (Segment s : bySequence) {
            readRecords(s, committed, removed);
        }
        return new Replay(committed, removed);
    }

    /**
     * After a replay's messages are restored: makes every file durable (the restored ones, and those
     * a process crash left in the page cache only), then invalidates the old records, so that no
     * later start reads them again, and starts the checkpoint thread.
     */
    void start() throws IOException {
        if (!slots.isEmpty()) {
            fileSystem.sync(spoolRoot);
            invalidate(slots);
        }
        free.addAll(slots);
        checkpointer = Thread.ofPlatform().name("spool-checkpoint").daemon().start(this::checkpointLoop);
    }

    /**
     * Appends a committed message file and returns once it is on disk, with every record appended
     * before it.
     */
    void commit(QueueId id, byte[] file) throws IOException {
        flushTo(append(COMMIT, id, file));
    }

    /** Notes a removal, without waiting: a lost note can only bring a delivered message back. */
    void removed(QueueId id) throws IOException {
        append(REMOVE, id, new byte[0]);
    }

    private long append(byte type, QueueId id, byte[] payload) throws IOException {
        byte[] idBytes = id.value().getBytes(StandardCharsets.US_ASCII);
        int bodyLength = 2 + idBytes.length + payload.length;
        int length = RECORD_HEADER + bodyLength;
        appendLock.lock();
        try {
            if (closed) {
                throw new IOException("spool journal is closed");
            }
            if (checkpointFailure != null) {
                throw new IOException("spool checkpoint failed: " + checkpointFailure.getMessage(), checkpointFailure);
            }
            if (active == null || active.position + length > segmentSize) {
                rotate();
            }
            ByteBuffer record = ByteBuffer.allocate(length);
            record.putInt(RECORD_MAGIC).putLong(active.sequence).putInt(bodyLength);
            int crcAt = record.position();
            record.putInt(0);
            int bodyAt = record.position();
            record.put(type).put((byte) idBytes.length).put(idBytes).put(payload);
            CRC32C crc = new CRC32C();
            crc.update(record.array(), 4, 8);
            crc.update(record.array(), bodyAt, bodyLength);
            record.putInt(crcAt, (int) crc.getValue());
            record.flip();
            writeFully(active.channel, record, active.position);
            active.position += length;
            appended = position(active);
            return appended;
        } finally {
            appendLock.unlock();
        }
    }

    /** Group commit: one flush covers every record appended before it started. */
    private void flushTo(long position) throws IOException {
        if (flushed >= position) {
            return;
        }
        flushLock.lock();
        try {
            if (flushed >= position) {
                return;
            }
            Segment segment;
            long target;
            appendLock.lock();
            try {
                segment = active;
                target = appended;
            } finally {
                appendLock.unlock();
            }
            // A record in an earlier segment was flushed when that segment was retired.
            segment.channel.force(false);
            flushed = Math.max(flushed, target);
        } finally {
            flushLock.unlock();
        }
    }

    /** Under appendLock: retires the full segment (flushed first) and activates a free or new one. */
    private void rotate() throws IOException {
        if (active != null) {
            active.channel.force(false);
            flushed = Math.max(flushed, position(active));
            retired.add(active);
            retiredOrClosed.signalAll();
        }
        Segment next = free.poll();
        if (next == null) {
            Path file = directory.resolve(String.format("%08d%s", slots.size(), SUFFIX));
            next = new Segment(file, FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE));
            slots.add(next);
            // The new name must survive, or its records would be lost with it.
            FileSpool.syncDirectory(directory);
        }
        next.sequence = ++lastSequence;
        ByteBuffer header = ByteBuffer.allocate(SEGMENT_HEADER);
        header.put(SEGMENT_MAGIC).putLong(next.sequence);
        header.position(0);
        writeFully(next.channel, header, 0);
        // No flush here: the first flush after a record covers the header too (same file).
        next.position = SEGMENT_HEADER;
        active = next;
    }

    private void checkpointLoop() {
        while (true) {
            List<Segment> batch;
            appendLock.lock();
            try {
                while (retired.isEmpty() && !closed) {
                    retiredOrClosed.awaitUninterruptibly();
                }
                if (closed) {
                    return;
                }
                batch = new ArrayList<>(retired);
                retired.clear();
            } finally {
                appendLock.unlock();
            }
            try {
                // Every file these records stand for was renamed into queue/ before its record was
                // written: after this, the files hold the mail and the records are not needed.
                fileSystem.sync(spoolRoot);
                invalidate(batch);
            } catch (IOException e) {
                LOG.error("spool checkpoint (syncfs of {}) failed; commits stop until restart", spoolRoot, e);
                checkpointFailure = e;
                return;
            }
            appendLock.lock();
            try {
                free.addAll(batch);
            } finally {
                appendLock.unlock();
            }
        }
    }

    /**
     * A checkpointed segment must not be read at the next start: the removals that go with its
     * commits may be gone with a reused segment, and its commits would come back as duplicates.
     */
    private static void invalidate(List<Segment> segments) throws IOException {
        for (Segment s : segments) {
            writeFully(s.channel, ByteBuffer.allocate(SEGMENT_MAGIC.length), 0);
            s.channel.force(false);
        }
    }

    @Override
    public void close() throws IOException {
        appendLock.lock();
        try {
            closed = true;
            retiredOrClosed.signalAll();
        } finally {
            appendLock.unlock();
        }
        if (checkpointer != null) {
            try {
                checkpointer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeChannels();
    }

    private void closeChannels() throws IOException {
        for (Segment s : slots) {
            s.channel.close();
        }
    }

    private long position(Segment s) {
        return s.sequence * (long) segmentSize + s.position;
    }

    private static long readSequence(FileChannel channel) throws IOException {
        if (channel.size() < SEGMENT_HEADER) {
            return 0;
        }
        ByteBuffer header = ByteBuffer.allocate(SEGMENT_HEADER);
        readFully(channel, header, 0);
        for (int i = 0; i < SEGMENT_MAGIC.length; i++) {
            if (header.get(i) != SEGMENT_MAGIC[i]) {
                return 0;
            }
        }
        return header.getLong(SEGMENT_MAGIC.length);
    }

    private void readRecords(Segment s, Map<QueueId, byte[]> committed, Set<QueueId> removed) throws IOException {
        long size = s.channel.size();
        long at = SEGMENT_HEADER;
        ByteBuffer head = ByteBuffer.allocate(RECORD_HEADER);
        while (at + RECORD_HEADER <= size) {
            head.clear();
            readFully(s.channel, head, at);
            if (head.getInt(0) != RECORD_MAGIC || head.getLong(4) != s.sequence) {
                return;
            }
            int bodyLength = head.getInt(12);
            if (bodyLength < 2 || at + RECORD_HEADER + bodyLength > size || bodyLength > segmentSize) {
                return;
            }
            ByteBuffer body = ByteBuffer.allocate(bodyLength);
            readFully(s.channel, body, at + RECORD_HEADER);
            CRC32C crc = new CRC32C();
            crc.update(head.array(), 4, 8);
            crc.update(body.array(), 0, bodyLength);
            if ((int) crc.getValue() != head.getInt(16)) {
                return;
            }
            byte type = body.get(0);
            int idLength = body.get(1) & 0xff;
            if (2 + idLength > bodyLength) {
                return;
            }
            QueueId id;
            try {
                id = new QueueId(new String(body.array(), 2, idLength, StandardCharsets.US_ASCII));
            } catch (IllegalArgumentException e) {
                return;
            }
            if (type == COMMIT) {
                byte[] file = new byte[bodyLength - 2 - idLength];
                System.arraycopy(body.array(), 2 + idLength, file, 0, file.length);
                committed.put(id, file);
            } else if (type == REMOVE) {
                removed.add(id);
            } else {
                return;
            }
            at += RECORD_HEADER + bodyLength;
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer, long at) throws IOException {
        long position = at;
        while (buffer.hasRemaining()) {
            position += channel.write(buffer, position);
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long at) throws IOException {
        long position = at;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position);
            if (n < 0) {
                throw new IOException("journal segment ends early");
            }
            position += n;
        }
    }

    private static final class Segment {
        final Path file;
        final FileChannel channel;
        long sequence;
        int position;

        Segment(Path file, FileChannel channel) {
            this.file = file;
            this.channel = channel;
        }
    }
}
