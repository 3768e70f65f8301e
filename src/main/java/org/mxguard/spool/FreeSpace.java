package org.mxguard.spool;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongSupplier;

/** The spool file system's room for new mail, and the recognition of a write that ran out of it. */
final class FreeSpace {

    /** Usable bytes on the spool's file system, so tests can pretend the disk is full. */
    interface Probe {
        long usableBytes() throws IOException;
    }

    /**
     * A reading this far above the minimum is reused for {@link #REUSE_NANOS}: asking the file system
     * (statfs) twice per message was measurable, and no SMTP traffic writes 256 MiB in 100 ms. Near
     * the minimum, every check asks again.
     */
    static final long HEADROOM = 256L << 20;
    static final long REUSE_NANOS = 100_000_000L;

    private final Probe probe;
    private final long minimum;
    private volatile long lastUsable = -1;
    private volatile long lastReadAt;
    private final LongSupplier nanoTime;

    FreeSpace(Probe probe, long minimum) {
        this(probe, minimum, System::nanoTime);
    }

    FreeSpace(Probe probe, long minimum, LongSupplier nanoTime) {
        this.probe = probe;
        this.minimum = minimum;
        this.nanoTime = nanoTime;
    }

    static Probe of(Path directory) throws IOException {
        FileStore store = Files.getFileStore(directory);
        return store::getUsableSpace;
    }

    /** Throws unless at least the configured minimum is free. */
    void require(String when) throws IOException {
        long now = nanoTime.getAsLong();
        long usable = lastUsable;
        if (usable < 0 || usable - minimum < HEADROOM || now - lastReadAt > REUSE_NANOS) {
            usable = probe.usableBytes();
            lastReadAt = now;
            lastUsable = usable;
        }
        if (usable < minimum) {
            throw new SpoolFullException("spool file system has " + usable + " usable bytes, below the minimum of "
                    + minimum + " (" + when + ")", null);
        }
    }

    /**
     * The exception to report for an I/O failure: a {@link SpoolFullException} for ENOSPC or EDQUOT,
     * which Java reports only through the message text, else {@code e} itself.
     */
    static IOException classify(IOException e) {
        if (e instanceof SpoolFullException) {
            return e;
        }
        String text = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason()
                : e.getMessage();
        if (text != null) {
            String lower = text.toLowerCase(Locale.ROOT);
            if (lower.contains("no space left on device") || lower.contains("disk quota exceeded")) {
                return new SpoolFullException("spool file system is full: " + text, e);
            }
        }
        return e;
    }
}
