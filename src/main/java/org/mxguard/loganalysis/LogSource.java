package org.mxguard.loganalysis;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
