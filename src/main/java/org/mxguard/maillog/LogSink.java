package org.mxguard.maillog;

import java.io.Closeable;

/** Where finished mail log lines go: a file, standard output or syslog. */
public interface LogSink extends Closeable {

    LogSink DISCARD = line -> { };

    /** Writes one line (without a line end). Must not throw: a broken log never stops mail. */
    void write(String line);

    /**
     * After the file was rotated away (logrotate, SIGHUP): later lines go to a new file under the
     * configured name. Does nothing for sinks that are not files.
     */
    default void reopen() {
    }

    @Override
    default void close() {
    }
}
