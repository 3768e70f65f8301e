package org.mxguard.delivery;

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
import java.util.concurrent.atomic.AtomicLong;
import org.mxguard.mail.Envelope;
import org.mxguard.mail.QueueId;
import org.mxguard.spool.DeliveryState;
import org.mxguard.spool.MessageWriter;
import org.mxguard.spool.QueuedMessage;
import org.mxguard.spool.Spool;

/** A {@link Spool} in memory with the same contract, for delivery tests. Thread-safe. */
final class MemorySpool implements Spool {

    private record Stored(Envelope envelope, byte[] content, DeliveryState state) {
    }

    private final TreeMap<QueueId, Stored> messages = new TreeMap<>();
    private final AtomicLong counter = new AtomicLong();
    private final List<QueueId> removed = new ArrayList<>();

    /** Adds a committed message with this content, as an SMTP session would. */
    QueueId add(Envelope envelope, String content) throws IOException {
        try (MessageWriter writer = begin(envelope)) {
            writer.content().write(content.getBytes(StandardCharsets.UTF_8));
            writer.commit();
            return writer.id();
        }
    }

    @Override
    public MessageWriter begin(Envelope envelope) {
        QueueId id = new QueueId(String.format("%012d", counter.incrementAndGet()));
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
            public void commit() {
                synchronized (MemorySpool.this) {
                    messages.put(id, new Stored(envelope, buffer.toByteArray(),
                            DeliveryState.initial(envelope.recipients(), envelope.received())));
                }
                committed = true;
            }

            @Override
            public void close() {
                if (!committed) {
                    buffer.reset();
                }
            }
        };
    }

    @Override
    public synchronized List<QueueId> recover() {
        return list();
    }

    @Override
    public synchronized List<QueueId> list() {
        return List.copyOf(messages.keySet());
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
    public synchronized void saveState(QueueId id, DeliveryState state) throws IOException {
        Stored s = messages.get(id);
        if (s == null) {
            throw new IOException("no such message: " + id);
        }
        messages.put(id, new Stored(s.envelope(), s.content(), state));
    }

    @Override
    public synchronized void remove(QueueId id) {
        if (messages.remove(id) != null) {
            removed.add(id);
        }
    }

    synchronized List<QueueId> removed() {
        return List.copyOf(removed);
    }

    synchronized String content(QueueId id) {
        return new String(messages.get(id).content(), StandardCharsets.UTF_8);
    }

    synchronized Instant nextAttempt(QueueId id) {
        return messages.get(id).state().nextAttempt();
    }

    @Override
    public void close() {
    }
}
