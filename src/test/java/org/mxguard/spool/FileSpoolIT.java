package org.mxguard.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mxguard.spool.SpoolFixtures.commit;
import static org.mxguard.spool.SpoolFixtures.content;
import static org.mxguard.spool.SpoolFixtures.envelope;
import static org.mxguard.spool.SpoolFixtures.read;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.mail.Envelope;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.QueueId;

class FileSpoolIT {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T22:00:01Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private FileSpool spool;

    @BeforeEach
    void openSpool() throws IOException {
        spool = open();
        assertThat(spool.recover()).isEmpty();
    }

    @AfterEach
    void closeSpool() throws IOException {
        spool.close();
    }

    private FileSpool open() throws IOException {
        return FileSpool.open(SpoolSettings.defaults(dir).withMinFreeBytes(0), CLOCK);
    }

    private void reopen() throws IOException {
        spool.close();
        spool = open();
    }

    @Test
    void committedMessageIsListedWithItsEnvelopeContentAndInitialState() throws IOException {
        Envelope envelope = envelope("a@protected.example", "b@protected.example");
        QueueId id = commit(spool, envelope, content("hello"));

        assertThat(spool.list()).containsExactly(id);
        QueuedMessage message = spool.load(id).orElseThrow();
        assertThat(message.envelope()).isEqualTo(envelope);
        assertThat(message.size()).isEqualTo(content("hello").length());
        assertThat(message.state()).isEqualTo(DeliveryState.initial(envelope.recipients(), envelope.received()));
        assertThat(read(spool, id)).isEqualTo(content("hello"));
        assertThat(dir.resolve("incoming")).isEmptyDirectory();
    }

    @Test
    void messageIsInvisibleUntilCommitReturns() throws IOException {
        try (MessageWriter writer = spool.begin(envelope("a@protected.example"))) {
            writer.content().write(content("x").getBytes(StandardCharsets.US_ASCII));
            assertThat(spool.list()).isEmpty();
            assertThat(spool.load(writer.id())).isEmpty();
            writer.commit();
            assertThat(spool.list()).containsExactly(writer.id());
        }
    }

    @Test
    void closeWithoutCommitLeavesNothing() throws IOException {
        QueueId id;
        try (MessageWriter writer = spool.begin(envelope("a@protected.example"))) {
            id = writer.id();
            writer.content().write(content("abandoned").getBytes(StandardCharsets.US_ASCII));
        }
        assertThat(spool.list()).isEmpty();
        assertThat(spool.load(id)).isEmpty();
        assertThat(dir.resolve("incoming")).isEmptyDirectory();
        assertThat(dir.resolve("queue")).isEmptyDirectory();
        reopen();
        assertThat(spool.recover()).isEmpty();
    }

    @Test
    void emptyContentIsAMessageToo() throws IOException {
        QueueId id = commit(spool, envelope("a@protected.example"), "");
        assertThat(spool.load(id).orElseThrow().size()).isZero();
        assertThat(read(spool, id)).isEmpty();
    }

    @Test
    void largeContentIsStreamedAndReadBackExactly() throws IOException {
        byte[] big = new byte[3 * 1024 * 1024 + 17];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31 + (i >> 8));
        }
        QueueId id;
        try (MessageWriter writer = spool.begin(envelope("a@protected.example"))) {
            for (int off = 0; off < big.length; off += 1000) {
                writer.content().write(big, off, Math.min(1000, big.length - off));
            }
            writer.commit();
            id = writer.id();
        }
        assertThat(spool.load(id).orElseThrow().size()).isEqualTo(big.length);
        try (var in = spool.openContent(id)) {
            assertThat(in.readAllBytes()).isEqualTo(big);
        }
    }

    @Test
    void commitTwiceIsAProgrammingError() throws IOException {
        try (MessageWriter writer = spool.begin(envelope("a@protected.example"))) {
            writer.commit();
            assertThatThrownBy(writer::commit).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> writer.content().write(1)).isInstanceOf(IOException.class)
                    .hasMessageContaining("committed");
        }
    }

    @Test
    void anInterruptedSessionLosesOnlyItsOwnMessage() throws IOException {
        try (MessageWriter writer = spool.begin(envelope("a@protected.example"))) {
            writer.content().write(content("interrupted").getBytes(StandardCharsets.US_ASCII));
            Thread.currentThread().interrupt();
            try {
                assertThatThrownBy(writer::commit).isInstanceOf(IOException.class);
            } finally {
                Thread.interrupted();
            }
        }
        assertThat(spool.list()).isEmpty();
        QueueId next = commit(spool, envelope("a@protected.example"), content("next"));
        assertThat(spool.list()).containsExactly(next);
        assertThat(dir.resolve("incoming")).isEmptyDirectory();
    }

    @Test
    void fiftyConcurrentVirtualThreadsEachCommitExactlyOnce() throws Exception {
        ConcurrentLinkedQueue<QueueId> ids = new ConcurrentLinkedQueue<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int n = i;
                done.add(pool.submit(() -> {
                    ids.add(commit(spool, envelope("user" + n + "@protected.example"), content("message " + n)));
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
        assertThat(new HashSet<>(ids)).hasSize(50);
        assertThat(spool.list()).containsExactlyInAnyOrderElementsOf(ids).isSorted();
        for (QueueId id : ids) {
            String rcpt = spool.load(id).orElseThrow().envelope().recipients().getFirst().localPart();
            assertThat(read(spool, id)).isEqualTo(content("message " + rcpt.substring(4)));
        }
        reopen();
        assertThat(spool.recover()).containsExactlyInAnyOrderElementsOf(ids).isSorted();
    }

    @Test
    void idsStayUniqueAndSortedAcrossReopenEvenWithAStoppedClock() throws IOException {
        List<QueueId> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(commit(spool, envelope("a@protected.example"), content("first run " + i)));
        }
        reopen();
        assertThat(spool.recover()).containsExactlyElementsOf(ids);
        for (int i = 0; i < 3; i++) {
            ids.add(commit(spool, envelope("a@protected.example"), content("second run " + i)));
        }
        assertThat(ids).doesNotHaveDuplicates().isSorted();
        assertThat(spool.list()).containsExactlyElementsOf(ids);
    }

    @Test
    void savedStateSurvivesReopen() throws IOException {
        Envelope envelope = envelope("a@protected.example", "\"odd user\"@protected.example");
        QueueId id = commit(spool, envelope, content("state"));
        DeliveryState state = new DeliveryState(List.of(envelope.recipients().get(1)), 3,
                Instant.parse("2026-11-27T01:02:03Z"), "host mx.protected.example[198.51.100.7] said: 451 4.3.0 try later",
                true, true);
        spool.update(id, s -> state);
        assertThat(spool.load(id).orElseThrow().state()).isEqualTo(state);

        reopen();
        assertThat(spool.recover()).containsExactly(id);
        QueuedMessage loaded = spool.load(id).orElseThrow();
        assertThat(loaded.state()).isEqualTo(state);
        assertThat(loaded.envelope()).isEqualTo(envelope);
        assertThat(dir.resolve("incoming")).isEmptyDirectory();
    }

    @Test
    void updateOfAnUnknownMessageChangesNothing() throws IOException {
        QueueId missing = new QueueId("0000000000000");
        assertThat(spool.update(missing, s -> DeliveryState.initial(List.of(), Instant.EPOCH))).isEmpty();
        assertThat(dir.resolve("queue")).isEmptyDirectory();
    }

    @Test
    void removeDeletesMessageAndState() throws IOException {
        QueueId kept = commit(spool, envelope("a@protected.example"), content("kept"));
        QueueId gone = commit(spool, envelope("b@protected.example"), content("gone"));
        spool.update(gone, s -> DeliveryState.initial(List.of(), Instant.EPOCH));
        spool.remove(gone);
        spool.remove(gone);

        assertThat(spool.list()).containsExactly(kept);
        assertThat(spool.load(gone)).isEmpty();
        assertThatThrownBy(() -> spool.openContent(gone)).isInstanceOf(NoSuchFileException.class);
        try (var files = Files.list(dir.resolve("queue"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(kept + ".msg");
        }
        reopen();
        assertThat(spool.recover()).containsExactly(kept);
    }

    @Test
    void fullDiskRefusesToBegin() throws IOException {
        spool.close();
        spool = FileSpool.open(SpoolSettings.defaults(dir).withMinFreeBytes(Long.MAX_VALUE), CLOCK);
        assertThatThrownBy(() -> spool.begin(envelope("a@protected.example")))
                .isInstanceOf(SpoolFullException.class).hasMessageContaining("below the minimum");
        assertThat(dir.resolve("incoming")).isEmptyDirectory();
    }

    @Test
    void diskFillingDuringTheMessageFailsTheCommitAndQueuesNothing() throws IOException {
        spool.close();
        AtomicLong free = new AtomicLong(1_000_000);
        spool = FileSpool.open(SpoolSettings.defaults(dir).withMinFreeBytes(500_000), CLOCK, free::get);
        try (MessageWriter writer = spool.begin(envelope("a@protected.example"))) {
            writer.content().write(content("big").getBytes(StandardCharsets.US_ASCII));
            free.set(400_000);
            assertThatThrownBy(writer::commit).isInstanceOf(SpoolFullException.class);
        }
        assertThat(spool.list()).isEmpty();
        assertThat(dir.resolve("incoming")).isEmptyDirectory();
        assertThat(dir.resolve("queue")).isEmptyDirectory();
    }

    @Test
    void secondProcessCannotOpenALockedSpool() {
        assertThatThrownBy(this::open).isInstanceOf(IOException.class).hasMessageContaining("in use");
    }

    @Test
    void envelopeWithoutReceivedTimeIsRefusedBeforeAnythingIsWritten() {
        Envelope e = envelope("a@protected.example");
        Envelope broken = new Envelope(e.sender(), e.recipients(), e.client(), null, false, false);
        assertThatThrownBy(() -> spool.begin(broken)).isInstanceOf(IOException.class)
                .hasMessageContaining("cannot spool this envelope");
        assertThat(dir.resolve("incoming")).isEmptyDirectory();
    }

    @Test
    void envelopeTooLargeToReadBackIsRefusedRatherThanQueued() {
        Envelope e = envelope("a@protected.example");
        List<MailAddress> many = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            many.add(MailAddress.of("recipient-with-a-long-local-part-" + "x".repeat(200) + i, "protected.example"));
        }
        Envelope huge = new Envelope(e.sender(), many, e.client(), e.received(), false, false);
        assertThatThrownBy(() -> spool.begin(huge)).isInstanceOf(IOException.class).hasMessageContaining("exceeds");
        assertThat(dir.resolve("incoming")).isEmptyDirectory();
    }

    @Test
    void nullSenderAndUtf8RecipientsRoundTrip() throws IOException {
        Envelope e = envelope("a@protected.example");
        Envelope bounce = new Envelope(MailAddress.NULL_SENDER,
                List.of(MailAddress.of("jürgen müller", "protected.example"), MailAddress.of("\"a b\\\"c\"", "x.example")),
                e.client(), e.received(), true, true);
        QueueId id = commit(spool, bounce, content("utf8"));
        reopen();
        spool.recover();
        assertThat(spool.load(id).orElseThrow().envelope()).isEqualTo(bounce);
    }
}
