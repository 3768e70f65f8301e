package org.mxguard.smtp;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.mxguard.mail.Envelope;
import org.mxguard.mail.QueueId;
import org.mxguard.spool.DeliveryState;
import org.mxguard.spool.MessageWriter;
import org.mxguard.spool.QueuedMessage;
import org.mxguard.spool.Spool;

/** A spool in memory for session tests: commits are visible at once; failures can be injected. */
final class MemorySpool implements Spool {

    private final Map<QueueId, QueuedMessage> messages = new ConcurrentSkipListMap<>();
    private final Map<QueueId, byte[]> contents = new ConcurrentSkipListMap<>();
    private final AtomicLong ids = new AtomicLong(0xA0000);
    private final AtomicInteger discarded = new AtomicInteger();
    private final AtomicReference<IOException> nextCommitFailure = new AtomicReference<>();

    @Override
    public MessageWriter begin(Envelope envelope) {
        QueueId id = new QueueId(String.format("%012X", ids.incrementAndGet()));
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        return new MessageWriter() {
            private boolean committed;

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
                IOException failure = nextCommitFailure.getAndSet(null);
                if (failure != null) {
                    throw failure;
                }
                contents.put(id, content.toByteArray());
                messages.put(id, new QueuedMessage(id, envelope, content.size(),
                        DeliveryState.initial(envelope.recipients(), Instant.EPOCH)));
                committed = true;
            }

            @Override
            public void close() {
                if (!committed) {
                    discarded.incrementAndGet();
                }
            }
        };
    }

    void failNextCommit(IOException failure) {
        nextCommitFailure.set(failure);
    }

    int discardedCount() {
        return discarded.get();
    }

    List<QueuedMessage> messages() {
        return new ArrayList<>(messages.values());
    }

    String content(QueueId id) {
        return new String(contents.get(id), StandardCharsets.UTF_8);
    }

    @Override
    public List<QueueId> recover() {
        return list();
    }

    @Override
    public List<QueueId> list() {
        return new ArrayList<>(messages.keySet());
    }

    @Override
    public Optional<QueuedMessage> load(QueueId id) {
        return Optional.ofNullable(messages.get(id));
    }

    @Override
    public InputStream openContent(QueueId id) throws IOException {
        byte[] bytes = contents.get(id);
        if (bytes == null) {
            throw new IOException("no message " + id);
        }
        return new ByteArrayInputStream(bytes);
    }

    @Override
    public void saveState(QueueId id, DeliveryState state) {
        messages.computeIfPresent(id, (key, message) -> new QueuedMessage(id, message.envelope(), message.size(),
                state));
    }

    @Override
    public void remove(QueueId id) {
        messages.remove(id);
        contents.remove(id);
    }

    @Override
    public void close() {
    }
}
