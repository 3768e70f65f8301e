package org.mxguard.primary;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows a growing log file by name, as {@code tail -F} does, through every way logrotate turns
 * it over, without losing or repeating a line:
 * <ul>
 * <li><b>rename</b> (the writer then creates a new file): the old file is read to its end, and
 * again on the next poll for lines the writer added before it reopened, then the new file from
 * its start;
 * <li><b>copytruncate</b>: the file is truncated under the reader. The lines it had not read yet
 * are in the copy, so the reader finds the copy beside the file (the sibling whose bytes before
 * the read position are the ones it read last) and reads the rest from there, then the file from
 * its start;
 * <li><b>missing for a while</b>: the open file is kept and read until a new one appears.
 * </ul>
 * It starts at the end of the file (at the start of a file that appears later), unless told to
 * read it whole. Each {@link #poll} reads what was added; {@link #start} polls on a thread.
 */
public final class FileFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FileFollower.class);
    /** Bytes before the read position remembered to recognise the same content (in the copy, or not). */
    private static final int MARK = 64;
    private static final int MAX_LINE = 64 * 1024;

    private final Path path;
    private final Clock clock;
    private final Duration pollInterval;
    private final Consumer<String> lines;
    private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    private boolean fromStart;
    private Open current;
    private Open draining;
    private Instant missingSince;
    private boolean missingReported;
    private volatile long polls;
    private volatile boolean closed;
    private Thread thread;

    /** A file being read: its channel, identity, read position and the bytes just before it. */
    private static final class Open {
        final FileChannel channel;
        final Object key;
        final LineSplitter splitter;
        long position;
        byte[] mark = new byte[0];

        Open(FileChannel channel, Object key, LineSplitter splitter) {
            this.channel = channel;
            this.key = key;
            this.splitter = splitter;
        }
    }

    /**
     * @param fromStart read the file's present content too (else only what is written from now)
     */
    public FileFollower(Path path, boolean fromStart, Duration pollInterval, Clock clock, Consumer<String> lines) {
        this.path = path;
        this.fromStart = fromStart;
        this.pollInterval = pollInterval;
        this.clock = clock;
        this.lines = lines;
    }

    public Path path() {
        return path;
    }

    /** Polls on a virtual thread every poll interval until closed. */
    public synchronized void start() {
        thread = Thread.ofVirtual().name("follow-" + path.getFileName()).start(() -> {
            String lastError = null;
            while (!closed) {
                try {
                    poll();
                    lastError = null;
                } catch (IOException | RuntimeException e) {
                    // Said once, not every poll, while the same trouble lasts (a file made unreadable).
                    if (!e.toString().equals(lastError)) {
                        LOG.warn("following {}: {}", path, e.toString());
                    }
                    lastError = e.toString();
                }
                try {
                    Thread.sleep(pollInterval);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** How many polls have completed (tests await progress with it). */
    public long polls() {
        return polls;
    }

    /** Reads whatever was added since the last poll, following a rotation if there was one. */
    public synchronized void poll() throws IOException {
        if (draining != null && read(draining) <= 0) {
            // The writer has moved to the new file: a last line without LF is complete now.
            draining.splitter.flush();
            draining.channel.close();
            draining = null;
        }
        if (current != null) {
            // Before reading on: after copytruncate, what lies past the position is new text.
            if (truncated(current.channel.size()) || read(current) < 0) {
                readCopy();
            }
        }
        BasicFileAttributes now = attributes();
        if (now == null) {
            missing();
        } else if (current == null) {
            openCurrent(now);
        } else if (!now.fileKey().equals(current.key)) {
            LOG.info("{} was rotated (renamed or replaced): reading the new file from its start", path);
            closeDraining();
            draining = current;
            current = null;
            fromStart = true;
            openCurrent(attributes());
        }
        polls++;
    }

    private void missing() {
        Instant at = clock.instant();
        if (missingSince == null) {
            missingSince = at;
            fromStart = true;
        } else if (!missingReported && Duration.between(missingSince, at).compareTo(Duration.ofMinutes(1)) >= 0) {
            missingReported = true;
            LOG.warn("{} has been missing since {}; still waiting for it", path, missingSince);
        }
    }

    private void openCurrent(BasicFileAttributes attrs) throws IOException {
        if (attrs == null) {
            return;
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return;
        }
        BasicFileAttributes after = attributes();
        if (after == null || !after.fileKey().equals(attrs.fileKey())) {
            // Rotated between the look and the open: take it on the next poll.
            channel.close();
            return;
        }
        Open open = new Open(channel, attrs.fileKey(), new LineSplitter(MAX_LINE, lines));
        if (!fromStart) {
            open.position = lineStart(channel, channel.size());
            remember(open);
        }
        missingSince = null;
        missingReported = false;
        current = open;
        read(current);
    }

    /** Where to start reading at the end: after the last LF, so that no half line is taken. */
    private long lineStart(FileChannel channel, long size) throws IOException {
        long at = size;
        ByteBuffer one = ByteBuffer.allocate(1);
        while (at > 0 && size - at < MAX_LINE) {
            one.clear();
            channel.read(one, at - 1);
            if (one.get(0) == '\n') {
                return at;
            }
            at--;
        }
        return at;
    }

    /**
     * Reads from the position to the end; the number of bytes read, or -1 when the file turned out
     * to be truncated under the read (the bytes before the position changed), and nothing of that
     * read was taken: what a chunk holds is taken only once the file is seen to still hold, after
     * the read, what it held before.
     */
    private long read(Open open) throws IOException {
        long total = 0;
        while (true) {
            buffer.clear();
            int n = open.channel.read(buffer, open.position);
            if (n <= 0) {
                break;
            }
            if (open.mark.length > 0 && !Arrays.equals(bytesBefore(open.channel, open.position), open.mark)) {
                return -1;
            }
            open.splitter.feed(buffer.array(), 0, n);
            open.position += n;
            total += n;
            remember(open);
        }
        return total;
    }

    private void remember(Open open) throws IOException {
        open.mark = bytesBefore(open.channel, open.position);
    }

    private static byte[] bytesBefore(FileChannel channel, long position) throws IOException {
        int n = (int) Math.min(MARK, position);
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (channel.read(b, position - n + b.position()) <= 0) {
                return null;
            }
        }
        return b.array();
    }

    /** Whether the file no longer holds what was read: shorter than the position, or other bytes before it. */
    private boolean truncated(long size) throws IOException {
        if (size < current.position) {
            return true;
        }
        return current.position > 0 && !Arrays.equals(bytesBefore(current.channel, current.position), current.mark);
    }

    /** After copytruncate: the unread rest is in the copy; read it there, then the file from its start. */
    private void readCopy() throws IOException {
        Path copy = findCopy(current.position, current.mark);
        if (copy == null) {
            LOG.warn("{} was truncated and no copy of it holds the lines after the ones read: lines written just "
                    + "before the truncation may be missing", path);
            current.splitter.discard();
        } else {
            LOG.info("{} was truncated (copytruncate): reading the rest from {}", path, copy);
            try (FileChannel channel = FileChannel.open(copy, StandardOpenOption.READ)) {
                Open rest = new Open(channel, null, current.splitter);
                rest.position = current.position;
                read(rest);
            }
        }
        current.position = 0;
        current.mark = new byte[0];
        read(current);
    }

    private Path findCopy(long position, byte[] mark) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        String name = path.getFileName().toString();
        try (var siblings = Files.list(dir)) {
            for (Path sibling : (Iterable<Path>) siblings::iterator) {
                String other = sibling.getFileName().toString();
                if (other.equals(name) || !other.startsWith(name) || !Files.isRegularFile(sibling)
                        || Files.size(sibling) < position) {
                    continue;
                }
                try (FileChannel channel = FileChannel.open(sibling, StandardOpenOption.READ)) {
                    if (Arrays.equals(bytesBefore(channel, position), mark)) {
                        return sibling;
                    }
                }
            }
        }
        return null;
    }

    private BasicFileAttributes attributes() throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private void closeDraining() throws IOException {
        if (draining != null) {
            read(draining);
            draining.splitter.flush();
            draining.channel.close();
            draining = null;
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            closeDraining();
            if (current != null) {
                current.channel.close();
                current = null;
            }
        }
    }
}
