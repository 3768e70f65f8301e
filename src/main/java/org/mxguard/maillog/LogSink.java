package org.mxguard.maillog;

import java.io.Closeable;

/** Where finished mail log lines go: a file, standard output or syslog. */
public interface LogSink extends Closeable {

    LogSink DISCARD = line -> { };

    /** Writes one line (without a line end). Must not throw: a broken log never stops mail. */
    void write(String line);

    @Override
    default void close() {
    }
}
