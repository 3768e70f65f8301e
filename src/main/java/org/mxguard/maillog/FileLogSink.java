package org.mxguard.maillog;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Appends lines to a file (or to standard output). Sessions only queue their lines; one writer
 * thread appends what has gathered, whole lines only, so tail -f never sees half a line.
 *
 * <p>Why a writer thread: a message makes five log lines, and a write(2) per line from each session
 * cost more system time than the spool's fsync. The writer waits {@link #GATHER} after waking, so
 * under load one write carries the lines of many messages; a quiet server's lines still reach the
 * file within milliseconds. {@link #close()} writes everything queued before it returns. When the
 * disk is slower than the mail (more than {@link #MAX_PENDING} queued), sessions wait for the writer
 * rather than lose lines.
 *
 * <p>{@link #reopen()} (SIGHUP, after logrotate renamed the file) makes the writer open the file by
 * its name again, as Postfix's postlogd does on {@code postfix logrotate}: lines written after it
 * returns go to the new file, none is lost or split between the two.
 */
public final class FileLogSink implements LogSink {

    static final Duration GATHER = Duration.ofMillis(2);
    static final int MAX_PENDING = 1 << 20;
    /** A reopen waits at most this long for the writer (a log disk that hangs must not hold SIGHUP). */
    static final Duration REOPEN_WAIT = Duration.ofSeconds(5);

    /** The file written, or null for standard output. */
    private final Path file;
    /** Written by the writer thread only while it runs; by {@link #writeNow} after it stopped. */
    private OutputStream out;
    private final boolean ownsStream;
    private final ReentrantLock lock = new ReentrantLock();
    private final ReentrantLock directLock = new ReentrantLock();
    private final Condition queued = lock.newCondition();
    private final Condition drained = lock.newCondition();
    private ByteArrayOutputStream pending = new ByteArrayOutputStream(16 * 1024);
    private ByteArrayOutputStream writing = new ByteArrayOutputStream(16 * 1024);
    private boolean writerIdle;
    private boolean closed;
    private final Condition reopened = lock.newCondition();
    private long reopensAsked;
    private long reopensDone;
    private final Thread writer;

    private FileLogSink(Path file, OutputStream out, boolean ownsStream) {
        this.file = file;
        this.out = out;
        this.ownsStream = ownsStream;
        this.writer = Thread.ofPlatform().name("maillog-writer").daemon().start(this::writeLoop);
    }

    public static FileLogSink append(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return new FileLogSink(file, open(file), true);
    }

    public static FileLogSink stdout(PrintStream stream) {
        return new FileLogSink(null, stream, false);
    }

    private static OutputStream open(Path file) throws IOException {
        return Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE);
    }

    @Override
    public void reopen() {
        if (file == null) {
            return;
        }
        lock.lock();
        try {
            long asked = ++reopensAsked;
            if (writerIdle) {
                writerIdle = false;
                queued.signal();
            }
            long waitNanos = REOPEN_WAIT.toNanos();
            while (reopensDone < asked && !closed && waitNanos > 0) {
                waitNanos = reopened.awaitNanos(waitNanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(String line) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        lock.lock();
        try {
            while (pending.size() > MAX_PENDING && !closed) {
                drained.awaitUninterruptibly();
            }
            if (!closed) {
                pending.writeBytes(bytes);
                if (writerIdle) {
                    writerIdle = false;
                    queued.signal();
                }
                return;
            }
        } finally {
            lock.unlock();
        }
        // After close: once the writer has written its last lines, these follow them directly.
        joinWriter();
        writeNow(bytes);
    }

    /** Writes everything queued so far and stops the writer; later lines are written directly. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            queued.signal();
        } finally {
            lock.unlock();
        }
        joinWriter();
        if (ownsStream) {
            try {
                out.close();
            } catch (IOException ignored) {
                // Nothing left to save.
            }
        }
    }

    private void writeLoop() {
        while (true) {
            boolean last;
            long reopen;
            lock.lock();
            try {
                while (pending.size() == 0 && !closed && reopensAsked == reopensDone) {
                    writerIdle = true;
                    queued.awaitUninterruptibly();
                }
                writerIdle = false;
                last = closed;
                reopen = reopensAsked;
            } finally {
                lock.unlock();
            }
            if (!last) {
                gather();
            }
            lock.lock();
            try {
                ByteArrayOutputStream full = pending;
                pending = writing;
                writing = full;
                drained.signalAll();
            } finally {
                lock.unlock();
            }
            try {
                writing.writeTo(out);
                out.flush();
            } catch (IOException ignored) {
                // The mail log is best effort; mail keeps flowing when the log disk fills.
            }
            writing.reset();
            if (reopen > reopensDoneByWriter()) {
                if (!last) {
                    reopenFile();
                }
                lock.lock();
                try {
                    reopensDone = reopen;
                    reopened.signalAll();
                } finally {
                    lock.unlock();
                }
            }
            if (last) {
                return;
            }
        }
    }

    private long reopensDoneByWriter() {
        lock.lock();
        try {
            return reopensDone;
        } finally {
            lock.unlock();
        }
    }

    /** Opens the file by its name again; if that fails, keeps writing where it wrote. */
    private void reopenFile() {
        try {
            OutputStream reopened = open(file);
            out.close();
            out = reopened;
        } catch (IOException e) {
            System.err.println("mxguard: cannot reopen the mail log " + file + ": " + e.getMessage()
                    + "; still writing to the file it had open");
        }
    }

    /** Lets the lines of other sessions join this write. */
    private void gather() {
        try {
            TimeUnit.NANOSECONDS.sleep(GATHER.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void joinWriter() {
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** After close, one line at a time, whole. */
    private void writeNow(byte[] bytes) {
        directLock.lock();
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException ignored) {
            // Best effort, as above.
        } finally {
            directLock.unlock();
        }
    }
}
