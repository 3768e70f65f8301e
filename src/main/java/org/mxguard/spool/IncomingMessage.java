package org.mxguard.spool;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.mxguard.mail.QueueId;

/**
 * A message being written: a temporary file in incoming/ until {@link #commit()} makes it part of
 * the queue.
 *
 * <p>States: WRITING, then COMMITTED (commit returned) or DISCARDED (closed without commit, or the
 * commit failed). Commit, in this order: flush; fill in the size; check free space; rename it into
 * queue/; fsync the file, which makes the rename durable too; with sync-directory, fsync queue/
 * (concurrent commits share journal flushes, see {@link FileSpool#syncQueue()}).
 * A crash before the rename leaves only a temporary file, which recovery deletes; after the rename
 * the file is complete, because its content was fsynced first.
 *
 * <p>Not thread-safe: one SMTP session writes one message.
 */
final class IncomingMessage implements MessageWriter {

    private enum State { WRITING, COMMITTED, DISCARDED }

    private static final int BUFFER = 32 * 1024;

    private final QueueId id;
    private final FileSpool spool;
    private final Path temp;
    private final FileChannel channel;
    private final OutputStream buffered;
    private final OutputStream content = new Content();
    private final long headerLength;
    private final int sizeOffset;
    private State state = State.WRITING;
    private IOException failure;

    private IncomingMessage(QueueId id, FileSpool spool, Path temp, FileChannel channel, long headerLength,
            int sizeOffset) {
        this.id = id;
        this.spool = spool;
        this.temp = temp;
        this.channel = channel;
        this.buffered = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER);
        this.headerLength = headerLength;
        this.sizeOffset = sizeOffset;
    }

    /** Creates the temporary file and writes the envelope header. */
    static IncomingMessage create(QueueId id, MessageHeader.Draft draft, FileSpool spool) throws IOException {
        Path temp = spool.layout().incomingMessage(id);
        FileChannel channel;
        try {
            channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    StandardOpenOption.READ);
        } catch (IOException e) {
            throw FreeSpace.classify(e);
        }
        try {
            ByteBuffer header = ByteBuffer.wrap(draft.bytes());
            while (header.hasRemaining()) {
                channel.write(header);
            }
            return new IncomingMessage(id, spool, temp, channel, draft.bytes().length, draft.sizeOffset());
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            Files.deleteIfExists(temp);
            throw FreeSpace.classify(e instanceof IOException io ? io : new IOException(e));
        }
    }

    @Override
    public QueueId id() {
        return id;
    }

    @Override
    public OutputStream content() {
        return content;
    }

    @Override
    public void commit() throws IOException {
        if (state != State.WRITING) {
            throw new IllegalStateException("message " + id + " is already " + state.name().toLowerCase());
        }
        Path target = spool.layout().message(id);
        try {
            if (failure != null) {
                throw failure;
            }
            buffered.flush();
            long size = channel.position() - headerLength;
            ByteBuffer digits = ByteBuffer.wrap(MessageHeader.sizeDigits(size));
            while (digits.hasRemaining()) {
                channel.write(digits, sizeOffset + digits.position());
            }
            spool.freeSpace().require("commit of " + id);
            spool.committing(id, true);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            discard();
            spool.committing(id, false);
            throw FreeSpace.classify(e instanceof IOException io ? io : new IOException(e));
        }
        CommitJournal journal = null;
        try {
            journal = spool.journalFor(channel.size());
            if (journal != null) {
                // Group commit: a copy in the commit journal, flushed with whatever other sessions
                // committed meanwhile; the file itself becomes durable at the next checkpoint.
                byte[] file = readBack();
                channel.close();
                journal.commit(id, file);
            } else {
                // One flush makes the content and the rename durable: on ext4, XFS and btrfs an
                // fsync of a file commits the journal up to its last change, and the rename changed
                // it (as Postfix relies on: its queue files are never followed by a directory fsync).
                // sync-directory adds the portable directory fsync for other file systems.
                if (spool.fsyncs()) {
                    channel.force(true);
                }
                channel.close();
                if (spool.syncsDirectory()) {
                    spool.syncQueue();
                }
            }
        } catch (IOException e) {
            closeQuietly(channel);
            // The client will be told 451 and send again; a copy left behind would be delivered twice.
            state = State.DISCARDED;
            Files.deleteIfExists(target);
            if (journal != null) {
                try {
                    journal.removed(id);
                } catch (IOException ignored) {
                    // At worst the journal brings the message back after a crash: a duplicate.
                }
            }
            throw e;
        } finally {
            spool.committing(id, false);
        }
        state = State.COMMITTED;
    }

    /** The whole file as written, header with its final size included. */
    private byte[] readBack() throws IOException {
        ByteBuffer file = ByteBuffer.allocate(Math.toIntExact(channel.size()));
        while (file.hasRemaining()) {
            if (channel.read(file, file.position()) < 0) {
                throw new IOException("message file " + id + " ended early while copying it to the journal");
            }
        }
        return file.array();
    }

    @Override
    public void close() throws IOException {
        if (state == State.WRITING) {
            discard();
        }
    }

    private void discard() throws IOException {
        state = State.DISCARDED;
        closeQuietly(channel);
        Files.deleteIfExists(temp);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // The file is being thrown away; its close cannot lose anything.
        }
    }

    /**
     * The content stream. A write failure is kept and rethrown by every later write and by commit, so
     * a caller that drains the rest of DATA after an error cannot commit a message with a hole in it.
     */
    private final class Content extends OutputStream {

        @Override
        public void write(int b) throws IOException {
            check();
            try {
                buffered.write(b);
            } catch (IOException e) {
                throw fail(e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            check();
            try {
                buffered.write(b, off, len);
            } catch (IOException e) {
                throw fail(e);
            }
        }

        @Override
        public void flush() throws IOException {
            check();
            try {
                buffered.flush();
            } catch (IOException e) {
                throw fail(e);
            }
        }

        /** Closing the content stream does not end the message: commit or close the writer. */
        @Override
        public void close() {
        }

        private void check() throws IOException {
            if (state != State.WRITING) {
                throw new IOException("message " + id + " is " + state.name().toLowerCase() + "; no more content");
            }
            if (failure != null) {
                throw failure;
            }
        }

        private IOException fail(IOException e) {
            failure = FreeSpace.classify(e);
            return failure;
        }
    }
}
