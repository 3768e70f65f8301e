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
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.mail.Envelope;
import org.mxguard.mail.QueueId;

/**
 * Crashes simulated by the files each step of a write, a state update or a removal leaves behind,
 * then a restart: recovery must end with whole committed messages or nothing.
 */
class SpoolRecoveryIT {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T22:00:01Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private FileSpool spool;
    private SpoolLayout layout;

    @BeforeEach
    void openSpool() throws IOException {
        spool = open();
        spool.recover();
        layout = new SpoolLayout(dir.toAbsolutePath());
    }

    @AfterEach
    void closeSpool() throws IOException {
        spool.close();
    }

    private FileSpool open() throws IOException {
        // The file-level recovery; with the commit journal, damaged files of messages not yet
        // checkpointed would be restored from it first (CommitJournalIT).
        return FileSpool.open(SpoolSettings.defaults(dir).withMinFreeBytes(0).withCommitJournal(false), CLOCK);
    }

    /** The restart after a crash: a new spool on the same directory. */
    private List<QueueId> restart() throws IOException {
        spool.close();
        spool = open();
        return spool.recover();
    }

    private String[] files(Path directory) throws IOException {
        try (var names = Files.list(directory)) {
            return names.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
        }
    }

    @Test
    void crashWhileWritingContentLeavesNothing() throws IOException {
        MessageWriter writer = spool.begin(envelope("a@protected.example"));
        writer.content().write(content("half").getBytes(StandardCharsets.US_ASCII));
        writer.content().flush();
        assertThat(files(layout.incoming())).containsExactly(writer.id() + ".msg.tmp");

        assertThat(restart()).isEmpty();
        assertThat(layout.incoming()).isEmptyDirectory();
        assertThat(layout.queue()).isEmptyDirectory();
        writer.close();
    }

    @Test
    void crashAfterFsyncBeforeRenameLeavesNothing() throws IOException {
        QueueId done = commit(spool, envelope("a@protected.example"), content("done"));
        QueueId id = new QueueId("1J16K8AJUI0Z0");
        // A complete, fsynced file that was never renamed: byte for byte a committed one, in incoming/.
        Files.copy(layout.message(done), layout.incomingMessage(id));

        assertThat(restart()).containsExactly(done);
        assertThat(layout.incoming()).isEmptyDirectory();
    }

    @Test
    void crashAfterRenameBeforeDirectoryFsyncKeepsTheWholeMessage() throws IOException {
        // The rename reached the disk, commit() had not yet returned: a whole message; at worst the
        // client sends it again (RFC 5321 §6.1 prefers a duplicate to a loss).
        QueueId id = commit(spool, envelope("a@protected.example"), content("renamed"));
        assertThat(restart()).containsExactly(id);
        assertThat(read(spool, id)).isEqualTo(content("renamed"));
    }

    @Test
    void crashWhileWritingAStateKeepsThePreviousState() throws IOException {
        Envelope envelope = envelope("a@protected.example", "b@protected.example");
        QueueId id = commit(spool, envelope, content("state"));
        DeliveryState first = new DeliveryState(envelope.recipients(), 1, Instant.parse("2026-11-26T23:00:00Z"),
                "451 later", false, false);
        spool.update(id, s -> first);
        Files.writeString(layout.incomingState(id, 99), "mxguard-spool-state 1\nattempts 2\n");

        assertThat(restart()).containsExactly(id);
        assertThat(spool.load(id).orElseThrow().state()).isEqualTo(first);
        assertThat(layout.incoming()).isEmptyDirectory();
    }

    @Test
    void crashInsideRemoveLeavesAnOrphanStateThatRecoveryDeletes() throws IOException {
        QueueId id = commit(spool, envelope("a@protected.example"), content("removing"));
        spool.update(id, s -> DeliveryState.initial(List.of(), Instant.EPOCH));
        Files.delete(layout.message(id));

        assertThat(restart()).isEmpty();
        assertThat(layout.queue()).isEmptyDirectory();
    }

    @Test
    void messageCutShortWithoutFsyncIsMovedToCorruptNotQueued() throws IOException {
        QueueId whole = commit(spool, envelope("a@protected.example"), content("whole"));
        QueueId cut = commit(spool, envelope("b@protected.example"), content("cut short by a power loss"));
        byte[] bytes = Files.readAllBytes(layout.message(cut));
        Files.write(layout.message(cut), java.util.Arrays.copyOf(bytes, bytes.length - 5));

        assertThat(restart()).containsExactly(whole);
        assertThat(files(layout.corrupt())).containsExactly(cut + ".msg");
        assertThat(spool.list()).containsExactly(whole);
    }

    @Test
    void emptyMessageFileIsMovedToCorrupt() throws IOException {
        QueueId id = commit(spool, envelope("a@protected.example"), content("zeroed"));
        Files.write(layout.message(id), new byte[0]);

        assertThat(restart()).isEmpty();
        assertThat(files(layout.corrupt())).containsExactly(id + ".msg");
    }

    @Test
    void damagedStateIsDroppedSoTheMessageIsRetriedToEveryone() throws IOException {
        Envelope envelope = envelope("a@protected.example", "b@protected.example");
        QueueId id = commit(spool, envelope, content("retry"));
        Files.writeString(layout.state(id), "mxguard-spool-state 1\nattempts 1\nnext-att");

        assertThat(restart()).containsExactly(id);
        assertThat(spool.load(id).orElseThrow().state())
                .isEqualTo(DeliveryState.initial(envelope.recipients(), envelope.received()));
    }

    @Test
    void messageOfAnUnknownVersionIsReportedAndLeftAlone() throws IOException {
        QueueId known = commit(spool, envelope("a@protected.example"), content("v1"));
        QueueId future = new QueueId("1J16K8AJUK000");
        String v2 = "mxguard-spool-message 2\nid " + future + "\nsomething-new yes\n\nbody\r\n";
        Files.writeString(layout.message(future), v2);

        assertThat(restart()).containsExactly(known);
        assertThat(spool.list()).containsExactly(known);
        assertThat(Files.readString(layout.message(future))).isEqualTo(v2);
        assertThatThrownBy(() -> spool.load(future)).isInstanceOf(IOException.class)
                .hasMessageContaining(future + ".msg")
                .hasMessageContaining("format version 2")
                .hasMessageContaining("not supported");
        // New ids still sort after the file's, though this version cannot read it.
        assertThat(commit(spool, envelope("a@protected.example"), content("next"))).isGreaterThan(future);
    }

    @Test
    void stateOfAnUnknownVersionKeepsItsMessageOutOfTheQueue() throws IOException {
        QueueId id = commit(spool, envelope("a@protected.example"), content("newer state"));
        Files.writeString(layout.state(id), "mxguard-spool-state 3\nwhatever 1\n\n");

        assertThat(restart()).isEmpty();
        assertThat(layout.message(id)).exists();
        assertThat(layout.state(id)).exists();
        assertThatThrownBy(() -> spool.load(id)).hasMessageContaining("format version 3");
    }

    @Test
    void foreignFilesAreLeftInPlace() throws IOException {
        QueueId id = commit(spool, envelope("a@protected.example"), content("x"));
        Files.writeString(layout.queue().resolve("README"), "notes");
        Files.writeString(layout.incoming().resolve("editor.swp"), "x");

        assertThat(restart()).containsExactly(id);
        assertThat(layout.queue().resolve("README")).exists();
        assertThat(layout.incoming().resolve("editor.swp")).exists();
    }

    @Test
    void messageWhoseHeaderNamesAnotherIdIsNotQueued() throws IOException {
        QueueId id = commit(spool, envelope("a@protected.example"), content("x"));
        QueueId other = new QueueId("1J16K8AJUI0Z0");
        Files.move(layout.message(id), layout.message(other));

        assertThat(restart()).isEmpty();
        assertThat(files(layout.corrupt())).containsExactly(other + ".msg");
    }
}
