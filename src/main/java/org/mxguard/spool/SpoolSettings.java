package org.mxguard.spool;

import java.nio.file.Path;

/**
 * How the spool is kept.
 *
 * @param directory the spool directory; created if missing; only one mxguard may use it at a time
 * @param minFreeBytes refuse new mail (SMTP 452 4.3.1) when the file system has fewer usable bytes
 *     than this, checked when a message begins and again at its commit, so the disk keeps room for
 *     delivery state updates, logs and bounces
 * @param fsync make commits, state updates and removals durable with fsync; turn off only for
 *     tests and benchmarks: without it a power loss can lose accepted mail
 * @param syncDirectory also fsync queue/ after each commit's rename; needed only on file systems
 *     where an fsync of a file does not persist its last rename (ext4, XFS and btrfs do, and
 *     Postfix relies on it too), at the price of a second journal flush per message
 * @param commitJournal commit through the commit journal (group commit, docs/spool-format.md)
 *     instead of an fsync per message file; on by default where the platform has syncfs (Linux)
 */
public record SpoolSettings(Path directory, long minFreeBytes, boolean fsync, boolean syncDirectory,
        boolean commitJournal) {

    /**
     * 100 MB. Postfix refuses mail below 1.5 x message_size_limit (about 15 MB by default); a backup MX
     * may hold days of mail for its primaries, so it keeps more room for the state files and bounces
     * that delivery writes.
     */
    public static final long DEFAULT_MIN_FREE_BYTES = 100L * 1024 * 1024;

    public SpoolSettings(Path directory, long minFreeBytes, boolean fsync, boolean syncDirectory) {
        this(directory, minFreeBytes, fsync, syncDirectory, true);
    }

    public SpoolSettings {
        if (directory == null) {
            throw new IllegalArgumentException("spool.directory is required");
        }
        if (minFreeBytes < 0) {
            throw new IllegalArgumentException("spool.min-free-bytes must be 0 or more, got " + minFreeBytes);
        }
    }

    /** The defaults: 100 MB kept free, fsync on. */
    public static SpoolSettings defaults(Path directory) {
        return new SpoolSettings(directory, DEFAULT_MIN_FREE_BYTES, true, false);
    }

    public SpoolSettings withMinFreeBytes(long bytes) {
        return new SpoolSettings(directory, bytes, fsync, syncDirectory, commitJournal);
    }

    public SpoolSettings withSyncDirectory(boolean on) {
        return new SpoolSettings(directory, minFreeBytes, fsync, on, commitJournal);
    }

    public SpoolSettings withFsync(boolean on) {
        return new SpoolSettings(directory, minFreeBytes, on, syncDirectory, commitJournal);
    }

    public SpoolSettings withCommitJournal(boolean on) {
        return new SpoolSettings(directory, minFreeBytes, fsync, syncDirectory, on);
    }
}
