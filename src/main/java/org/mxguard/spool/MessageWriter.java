package org.mxguard.spool;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import org.mxguard.mail.QueueId;

/**
 * One message being written to the spool. Write the content, then {@link #commit()}; closing
 * without a commit discards everything written.
 */
public interface MessageWriter extends Closeable {

    QueueId id();

    /** Where the message content goes: headers and body, CRLF line ends, already dot-unstuffed. */
    OutputStream content();

    /**
     * Makes the message durable and visible: when this returns normally the message survives a crash.
     *
     * @throws SpoolFullException when the file system is out of space (SMTP 452 4.3.1)
     * @throws IOException on any other failure (SMTP 451 4.3.0); nothing is then queued
     */
    void commit() throws IOException;

    /** Discards the message unless it was committed. */
    @Override
    void close() throws IOException;
}
