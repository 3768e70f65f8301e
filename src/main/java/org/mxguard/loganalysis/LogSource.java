package org.mxguard.loganalysis;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.zip.GZIPInputStream;

/**
 * One log to read: a file (plain or gzip, recognised by its magic bytes) or standard input. The
 * file's modification time supplies the year RFC 3164 timestamps lack.
 *
 * @param label what error messages call it
 * @param path the file, or null for standard input
 */
public record LogSource(String label, Path path) {

    public static LogSource stdin() {
        return new LogSource("-", null);
    }

    public static LogSource of(Path path) {
        return new LogSource(path.toString(), path);
    }

    long size() {
        try {
            return path == null ? -1 : Files.size(path);
        } catch (IOException e) {
            return -1;
        }
    }

    InputStream open(java.util.concurrent.atomic.AtomicLong rawBytes) throws IOException {
        if (path != null && Files.isRegularFile(path) && !gzipped(path)) {
            return new MappedStream(path, rawBytes, MappedStream.WINDOW);
        }
        InputStream raw = new CountingStream(path == null ? System.in : Files.newInputStream(path), rawBytes);
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        if (b1 == 0x1f && b2 == 0x8b) {
            return new GZIPInputStream(in, 1 << 16);
        }
        return in;
    }

    private static boolean gzipped(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /**
     * A plain file read through a memory mapping, a window at a time: the bytes go from the page
     * cache to the caller's array in one copy, without a system call per block, and each window
     * is unmapped once read, so the file's pages never all count as this process's.
     */
    static final class MappedStream extends InputStream {
        static final long WINDOW = 32L << 20;
        private final long windowSize;
        private final FileChannel channel;
        private final java.util.concurrent.atomic.AtomicLong count;
        private final long size;
        private long position;
        private long windowStart;
        private Arena arena;
        private MemorySegment window;

        MappedStream(Path path, java.util.concurrent.atomic.AtomicLong count, long windowSize) throws IOException {
            this.windowSize = windowSize;
            this.channel = FileChannel.open(path, StandardOpenOption.READ);
            this.count = count;
            this.size = channel.size();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) == 1 ? one[0] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (position >= size) {
                return -1;
            }
            if (window == null || position >= windowStart + window.byteSize()) {
                unmap();
                windowStart = position;
                arena = Arena.ofConfined();
                window = channel.map(FileChannel.MapMode.READ_ONLY, windowStart, Math.min(windowSize, size - windowStart),
                        arena);
            }
            int n = (int) Math.min(len, windowStart + window.byteSize() - position);
            try {
                MemorySegment.copy(window, ValueLayout.JAVA_BYTE, position - windowStart, b, off, n);
            } catch (InternalError e) {
                // The file was cut shorter while mapped (a rotation that truncates in place).
                throw new IOException("file shrank while it was read", e);
            }
            position += n;
            count.addAndGet(n);
            return n;
        }

        private void unmap() {
            if (arena != null) {
                arena.close();
                arena = null;
                window = null;
            }
        }

        @Override
        public void close() throws IOException {
            unmap();
            channel.close();
        }
    }

    /** Counts the bytes read from the file itself (compressed bytes for gzip), for progress. */
    private static final class CountingStream extends java.io.FilterInputStream {
        private final java.util.concurrent.atomic.AtomicLong count;

        CountingStream(InputStream in, java.util.concurrent.atomic.AtomicLong count) {
            super(in);
            this.count = count;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count.incrementAndGet();
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count.addAndGet(n);
            }
            return n;
        }
    }

    /** The year and month of the last line, as far as the file's time tells. */
    ZonedDateTime referenceTime(ZoneId zone) {
        try {
            if (path != null) {
                return Files.getLastModifiedTime(path).toInstant().atZone(zone);
            }
        } catch (IOException ignored) {
            // fall through to now
        }
        return Instant.now().atZone(zone);
    }
}
