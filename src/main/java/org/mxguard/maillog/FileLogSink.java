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
 */
public final class FileLogSink implements LogSink {

    static final Duration GATHER = Duration.ofMillis(2);
    static final int MAX_PENDING = 1 << 20;

    private final OutputStream out;
    private final boolean ownsStream;
    private final ReentrantLock lock = new ReentrantLock();
    private final ReentrantLock directLock = new ReentrantLock();
    private final Condition queued = lock.newCondition();
    private final Condition drained = lock.newCondition();
    private ByteArrayOutputStream pending = new ByteArrayOutputStream(16 * 1024);
    private ByteArrayOutputStream writing = new ByteArrayOutputStream(16 * 1024);
    private boolean writerIdle;
    private boolean closed;
    private final Thread writer;

    private FileLogSink(OutputStream out, boolean ownsStream) {
        this.out = out;
        this.ownsStream = ownsStream;
        this.writer = Thread.ofPlatform().name("maillog-writer").daemon().start(this::writeLoop);
    }

    public static FileLogSink append(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return new FileLogSink(Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE), true);
    }

    public static FileLogSink stdout(PrintStream stream) {
        return new FileLogSink(stream, false);
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
            lock.lock();
            try {
                while (pending.size() == 0 && !closed) {
                    writerIdle = true;
                    queued.awaitUninterruptibly();
                }
                writerIdle = false;
                last = closed;
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
            if (last) {
                return;
            }
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
