package org.mxguard.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mxguard.spool.SpoolFixtures.commit;
import static org.mxguard.spool.SpoolFixtures.content;
import static org.mxguard.spool.SpoolFixtures.envelope;
import static org.mxguard.spool.SpoolFixtures.read;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.mail.QueueId;

/**
 * The commit journal: what a power loss can take before a checkpoint (the message files, renamed
 * but not yet written back) comes back from the journal; what was removed stays removed.
 * A power loss cannot be staged in a test; losing the files is simulated by deleting or cutting them
 * while the spool is closed, which is what the disk would show.
 */
class CommitJournalIT {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-27T01:00:00Z"), ZoneOffset.UTC);
    private static final int SMALL_SEGMENTS = 8 * 1024;

    @TempDir
    Path dir;

    private FileSpool spool;
    private SpoolLayout layout;

    @BeforeEach
    void openSpool() throws IOException {
        spool = open(CommitJournal.DEFAULT_SEGMENT_SIZE);
        spool.recover();
        layout = new SpoolLayout(dir.toAbsolutePath());
    }

    @AfterEach
    void closeSpool() throws IOException {
        spool.close();
    }

    private FileSpool open(int segmentSize) throws IOException {
        return FileSpool.open(SpoolSettings.defaults(dir).withMinFreeBytes(0), CLOCK, null, segmentSize);
    }

    private List<QueueId> restart(int segmentSize) throws IOException {
        spool.close();
        spool = open(segmentSize);
        return spool.recover();
    }

    @Test
    void commitsGoThroughTheJournalWhereSyncfsExists() throws IOException {
        assertThat(FileSystemSync.available()).as("syncfs on this Linux test machine").isPresent();
        commit(spool, envelope("a@protected.example"), content("journaled"));
        try (Stream<Path> segments = Files.list(layout.journal())) {
            assertThat(segments.toList()).hasSize(1);
        }
    }

    @Test
    void messageFilesLostBeforeTheCheckpointComeBackWhole() throws IOException {
        QueueId gone = commit(spool, envelope("a@protected.example"), content("gone"));
        QueueId cut = commit(spool, envelope("b@protected.example"), content("cut short"));
        QueueId zeroed = commit(spool, envelope("c@protected.example"), content("zeroed"));
        spool.close();
        Files.delete(layout.message(gone));
        try (var channel = java.nio.channels.FileChannel.open(layout.message(cut), StandardOpenOption.WRITE)) {
            channel.truncate(40);
        }
        Files.write(layout.message(zeroed), new byte[(int) Files.size(layout.message(zeroed))]);

        spool = open(CommitJournal.DEFAULT_SEGMENT_SIZE);
        assertThat(spool.recover()).containsExactly(gone, cut, zeroed);
        assertThat(read(spool, gone)).isEqualTo(content("gone"));
        assertThat(read(spool, cut)).isEqualTo(content("cut short"));
        assertThat(read(spool, zeroed)).isEqualTo(content("zeroed"));
        assertThat(layout.incoming()).isEmptyDirectory();
    }

    @Test
    void aRemovedMessageStaysRemovedEvenIfItsUnlinkWasLost() throws IOException {
        QueueId delivered = commit(spool, envelope("a@protected.example"), content("delivered"));
        QueueId waiting = commit(spool, envelope("b@protected.example"), content("waiting"));
        byte[] file = Files.readAllBytes(layout.message(delivered));
        spool.remove(delivered);
        // the removal record reaches the disk with the next commit's flush
        QueueId later = commit(spool, envelope("c@protected.example"), content("later"));
        spool.close();
        Files.write(layout.message(delivered), file);

        spool = open(CommitJournal.DEFAULT_SEGMENT_SIZE);
        assertThat(spool.recover()).containsExactly(waiting, later);
        assertThat(layout.message(delivered)).doesNotExist();
    }

    @Test
    void concurrentCommitsShareFlushesAndAreAllInTheJournal() throws Exception {
        ConcurrentLinkedQueue<QueueId> ids = new ConcurrentLinkedQueue<>();
        List<Thread> sessions = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int n = i;
            sessions.add(Thread.ofVirtual().start(() -> {
                try {
                    ids.add(commit(spool, envelope("u" + n + "@protected.example"), content("message " + n)));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (Thread t : sessions) {
            t.join();
        }
        assertThat(ids).hasSize(50);
        spool.close();
        for (QueueId id : ids) {
            Files.delete(layout.message(id));
        }

        spool = open(CommitJournal.DEFAULT_SEGMENT_SIZE);
        assertThat(spool.recover()).containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void segmentsAreReusedAfterCheckpointsAndOnlyTheRecentRecordsAreReplayed() throws Exception {
        restart(SMALL_SEGMENTS);
        List<QueueId> kept = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            QueueId id = commit(spool, envelope("a@protected.example"), content("message " + i));
            if (i % 3 == 0) {
                kept.add(id);
            } else {
                spool.remove(id);
            }
        }
        assertThat(restart(SMALL_SEGMENTS)).containsExactlyElementsOf(kept);
        for (QueueId id : kept) {
            assertThat(read(spool, id)).startsWith("Subject: message ");
        }
    }

    @Test
    void aTornRecordAtTheEndOfTheJournalIsIgnored() throws IOException {
        QueueId id = commit(spool, envelope("a@protected.example"), content("before the tear"));
        spool.close();
        Path segment;
        try (Stream<Path> segments = Files.list(layout.journal())) {
            segment = segments.findFirst().orElseThrow();
        }
        Files.write(segment, new byte[] {'M', 'X', 'J', '1', 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 7},
                StandardOpenOption.APPEND);

        spool = open(CommitJournal.DEFAULT_SEGMENT_SIZE);
        assertThat(spool.recover()).containsExactly(id);
        QueueId next = commit(spool, envelope("b@protected.example"), content("after"));
        assertThat(spool.list()).containsExactly(id, next);
    }

    @Test
    void messagesTooLargeForTheJournalAreFsyncedOnTheirOwn() throws IOException {
        restart(SMALL_SEGMENTS);
        String big = "Subject: big\r\n\r\n" + "x".repeat(20_000) + "\r\n";
        QueueId id = commit(spool, envelope("a@protected.example"), big);
        assertThat(restart(SMALL_SEGMENTS)).containsExactly(id);
        assertThat(read(spool, id)).isEqualTo(big);
    }
}
