package org.mxguard.spool;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.mxguard.mail.Envelope;
import org.mxguard.mail.QueueId;

/**
 * A {@link Spool} in memory with the same contract as {@link FileSpool} (checked by
 * {@code SpoolContractTest}), for session and delivery tests: commits are visible at once, and a
 * commit failure can be injected. Thread-safe.
 */
public final class MemorySpool implements Spool {

    private record Stored(Envelope envelope, byte[] content, DeliveryState state) {
    }

    private final TreeMap<QueueId, Stored> messages = new TreeMap<>();
    private final List<QueueId> removed = new ArrayList<>();
    private long counter;

    /** Ids count up from 1, in hexadecimal: 000000000001, 000000000002... */
    public MemorySpool() {
        this(0);
    }

    /** Ids count up from {@code after + 1}, in hexadecimal. */
    public MemorySpool(long after) {
        this.counter = after;
    }
    private int discarded;
    private IOException nextCommitFailure;
    private boolean readOnly;

    /** While on, every change (commit, update, remove) fails as on a file system remounted read-only. */
    public synchronized void readOnly(boolean on) {
        readOnly = on;
    }

    private void writable() throws IOException {
        if (readOnly) {
            throw new java.nio.file.FileSystemException("spool", null, "Read-only file system");
        }
    }

    /** Adds a committed message with this content, as an SMTP session would. */
    public QueueId add(Envelope envelope, String content) throws IOException {
        try (MessageWriter writer = begin(envelope)) {
            writer.content().write(content.getBytes(StandardCharsets.UTF_8));
            writer.commit();
            return writer.id();
        }
    }

    @Override
    public synchronized MessageWriter begin(Envelope envelope) {
        QueueId id = new QueueId(String.format("%012X", ++counter));
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        return new MessageWriter() {
            private boolean committed;

            @Override
            public QueueId id() {
                return id;
            }

            @Override
            public OutputStream content() {
                return buffer;
            }

            @Override
            public void commit() throws IOException {
                synchronized (MemorySpool.this) {
                    IOException failure = nextCommitFailure;
                    nextCommitFailure = null;
                    if (failure != null) {
                        throw failure;
                    }
                    writable();
                    messages.put(id, new Stored(envelope, buffer.toByteArray(),
                            DeliveryState.initial(envelope.recipients(), envelope.received())));
                }
                committed = true;
            }

            @Override
            public void close() {
                if (!committed) {
                    buffer.reset();
                    synchronized (MemorySpool.this) {
                        discarded++;
                    }
                }
            }
        };
    }

    /** The next {@link MessageWriter#commit()} fails with this (a full disk, an I/O error). */
    public synchronized void failNextCommit(IOException failure) {
        nextCommitFailure = failure;
    }

    /** How many messages were begun and never committed. */
    public synchronized int discardedCount() {
        return discarded;
    }

    @Override
    public synchronized List<QueueId> recover() {
        return list();
    }

    @Override
    public synchronized List<QueueId> list() {
        return List.copyOf(messages.keySet());
    }

    /** Every committed message, oldest first. */
    public synchronized List<QueuedMessage> messages() {
        return messages.keySet().stream().map(id -> load(id).orElseThrow()).toList();
    }

    @Override
    public synchronized Optional<QueuedMessage> load(QueueId id) {
        Stored s = messages.get(id);
        return s == null ? Optional.empty()
                : Optional.of(new QueuedMessage(id, s.envelope(), s.content().length, s.state()));
    }

    @Override
    public synchronized InputStream openContent(QueueId id) throws IOException {
        Stored s = messages.get(id);
        if (s == null) {
            throw new IOException("no such message: " + id);
        }
        return new ByteArrayInputStream(s.content());
    }

    @Override
    public synchronized Optional<DeliveryState> update(QueueId id, UnaryOperator<DeliveryState> change)
            throws IOException {
        writable();
        Stored s = messages.get(id);
        if (s == null) {
            return Optional.empty();
        }
        DeliveryState changed = change.apply(s.state());
        messages.put(id, new Stored(s.envelope(), s.content(), changed));
        return Optional.of(changed);
    }

    @Override
    public synchronized void remove(QueueId id) throws IOException {
        writable();
        if (messages.remove(id) != null) {
            removed.add(id);
        }
    }

    /** The ids removed so far, in order. */
    public synchronized List<QueueId> removed() {
        return List.copyOf(removed);
    }

    /** A committed message's content as text. */
    public synchronized String content(QueueId id) {
        return new String(messages.get(id).content(), StandardCharsets.UTF_8);
    }

    /** When a committed message is next due. */
    public synchronized Instant nextAttempt(QueueId id) {
        return messages.get(id).state().nextAttempt();
    }

    @Override
    public void close() {
    }
}
