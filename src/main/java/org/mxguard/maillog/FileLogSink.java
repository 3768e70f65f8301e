package org.mxguard.maillog;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;

/** Appends lines to a file (or to standard output), one write per line so tail -f sees whole lines. */
public final class FileLogSink implements LogSink {

    private final OutputStream out;
    private final boolean ownsStream;
    private final ReentrantLock lock = new ReentrantLock();

    private FileLogSink(OutputStream out, boolean ownsStream) {
        this.out = out;
        this.ownsStream = ownsStream;
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
            out.write(bytes);
            out.flush();
        } catch (IOException ignored) {
            // The mail log is best effort; mail keeps flowing when the log disk fills.
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        if (ownsStream) {
            try {
                out.close();
            } catch (IOException ignored) {
                // Nothing left to save.
            }
        }
    }
}
