package org.mxguard.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mxguard.spool.SpoolFixtures.commit;
import static org.mxguard.spool.SpoolFixtures.content;
import static org.mxguard.spool.SpoolFixtures.envelope;
import static org.mxguard.spool.SpoolFixtures.read;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mxguard.mail.Envelope;
import org.mxguard.mail.QueueId;

/**
 * What every {@link Spool} promises, run against each implementation, so the in-memory spool the
 * session and delivery tests use behaves as the one on disk.
 */
abstract class SpoolContract {

    protected Spool spool;

    /** A fresh, empty spool, recovered and ready. */
    abstract Spool open() throws IOException;

    @BeforeEach
    void start() throws IOException {
        spool = open();
    }

    @AfterEach
    void stop() throws IOException {
        spool.close();
    }

    @Test
    void committedMessageIsListedWithItsEnvelopeContentAndInitialState() throws IOException {
        Envelope envelope = envelope("a@protected.example", "b@protected.example");
        QueueId id = commit(spool, envelope, content("one"));

        assertThat(spool.list()).containsExactly(id);
        QueuedMessage message = spool.load(id).orElseThrow();
        assertThat(message.envelope()).isEqualTo(envelope);
        assertThat(message.size()).isEqualTo(content("one").length());
        assertThat(message.state()).isEqualTo(DeliveryState.initial(envelope.recipients(), envelope.received()));
        assertThat(read(spool, id)).isEqualTo(content("one"));
    }

    @Test
    void messageClosedWithoutCommitIsNeverSeen() throws IOException {
        QueueId id;
        try (MessageWriter writer = spool.begin(envelope("a@protected.example"))) {
            id = writer.id();
            writer.content().write(new byte[] {'x'});
        }
        assertThat(spool.list()).isEmpty();
        assertThat(spool.load(id)).isEmpty();
    }

    @Test
    void messagesAreListedOldestFirst() throws IOException {
        List<QueueId> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(commit(spool, envelope("a@protected.example"), content("m" + i)));
        }
        assertThat(spool.list()).containsExactlyElementsOf(ids);
    }

    @Test
    void updateStoresAndReturnsTheChangedState() throws IOException {
        Envelope envelope = envelope("a@protected.example", "b@protected.example");
        QueueId id = commit(spool, envelope, content("state"));
        DeliveryState changed = new DeliveryState(List.of(envelope.recipients().get(1)), 1,
                Instant.parse("2026-11-27T01:00:00Z"), "451 4.3.0 later", true, false);

        assertThat(spool.update(id, s -> changed)).contains(changed);
        assertThat(spool.load(id).orElseThrow().state()).isEqualTo(changed);
        assertThat(spool.load(id).orElseThrow().envelope()).isEqualTo(envelope);
    }

    @Test
    void updateOfAMissingOrRemovedMessageIsEmptyAndDoesNotCallTheChange() throws IOException {
        QueueId id = commit(spool, envelope("a@protected.example"), content("gone"));
        spool.remove(id);
        spool.remove(id);
        AtomicBoolean called = new AtomicBoolean();

        assertThat(spool.update(id, s -> {
            called.set(true);
            return s;
        })).isEmpty();
        assertThat(called).isFalse();
        assertThat(spool.load(id)).isEmpty();
        assertThat(spool.list()).isEmpty();
        assertThatThrownBy(() -> spool.openContent(id)).isInstanceOf(IOException.class);
    }

    @Test
    void concurrentUpdatesOfOneMessageAreNeverLost() throws Exception {
        QueueId id = commit(spool, envelope("a@protected.example"), content("busy"));
        int threads = 8;
        int each = 25;
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            boolean holder = t % 2 == 0;
            started.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < each; i++) {
                    try {
                        spool.update(id, s -> new DeliveryState(s.pending(), s.attempts() + 1, s.nextAttempt(),
                                s.lastError(), holder ? !s.held() : s.held(), s.warned()));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }));
        }
        for (Thread t : started) {
            t.join();
        }
        DeliveryState state = spool.load(id).orElseThrow().state();
        assertThat(state.attempts()).isEqualTo(threads * each);
        // An even number of flips in all: not held.
        assertThat(state.held()).isFalse();
    }
}
