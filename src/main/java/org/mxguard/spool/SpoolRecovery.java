package org.mxguard.spool;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.mxguard.mail.QueueId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up pass over the spool directory: everything a crash can leave becomes either a
 * committed message or nothing.
 *
 * <ul>
 *   <li>incoming/ holds only unfinished writes (no commit returned for them): deleted.</li>
 *   <li>queue/ID.state without queue/ID.msg is what a crash inside remove() leaves: deleted.</li>
 *   <li>queue/ID.msg whose header is damaged or whose length disagrees with its header (only possible
 *       without fsync, or on a failing disk): moved to corrupt/ with its state, never deleted.</li>
 *   <li>a damaged queue/ID.state (same causes): deleted, so the message is retried to all its
 *       recipients; a duplicate is better than a loss (RFC 5321 §6.1).</li>
 *   <li>any file of a format version this code does not know: reported and left in place, and its
 *       message is neither listed nor delivered, so a downgrade never destroys a newer version's mail.</li>
 * </ul>
 */
final class SpoolRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolRecovery.class);

    /** What recovery found: the committed ids oldest first, and the ids it had to leave alone. */
    record Result(List<QueueId> committed, Set<QueueId> leftAlone, QueueId newest) {
    }

    private final SpoolLayout layout;
    private boolean changed;

    SpoolRecovery(SpoolLayout layout) {
        this.layout = layout;
    }

    /** True if recovery deleted or moved anything, so the directories need an fsync. */
    boolean changed() {
        return changed;
    }

    Result run() throws IOException {
        QueueId newest = cleanIncoming();
        TreeMap<QueueId, boolean[]> queue = new TreeMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(layout.queue())) {
            for (Path entry : entries) {
                SpoolLayout.QueueName name = SpoolLayout.parseQueueName(entry.getFileName().toString());
                if (name == null) {
                    LOG.warn("spool_unknown_file path={} action=left_in_place", entry);
                    continue;
                }
                boolean[] has = queue.computeIfAbsent(name.id(), id -> new boolean[2]);
                has[name.message() ? 0 : 1] = true;
            }
        }
        List<QueueId> committed = new ArrayList<>();
        Set<QueueId> leftAlone = new HashSet<>();
        for (var e : queue.entrySet()) {
            QueueId id = e.getKey();
            if (newest == null || id.compareTo(newest) > 0) {
                newest = id;
            }
            boolean hasMessage = e.getValue()[0];
            boolean hasState = e.getValue()[1];
            if (!hasMessage) {
                removeOrphanState(id);
            } else if (checkMessage(id, hasState)) {
                committed.add(id);
            } else if (Files.exists(layout.message(id))) {
                leftAlone.add(id);
            }
        }
        return new Result(List.copyOf(committed), Set.copyOf(leftAlone), newest);
    }

    private QueueId cleanIncoming() throws IOException {
        QueueId newest = null;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(layout.incoming())) {
            for (Path entry : entries) {
                QueueId id = SpoolLayout.parseTempName(entry.getFileName().toString());
                if (id == null) {
                    LOG.warn("spool_unknown_file path={} action=left_in_place", entry);
                    continue;
                }
                if (newest == null || id.compareTo(newest) > 0) {
                    newest = id;
                }
                LOG.info("spool_recover_partial path={} action=deleted", entry);
                Files.deleteIfExists(entry);
                changed = true;
            }
        }
        return newest;
    }

    /** True if the message is whole and readable; otherwise it has been reported (and maybe moved). */
    private boolean checkMessage(QueueId id, boolean hasState) throws IOException {
        Path message = layout.message(id);
        try {
            MessageHeader.readFile(id, message);
        } catch (SpoolFormatException e) {
            if (e.unsupportedVersion()) {
                LOG.error("spool_unsupported_version path={} action=left_in_place reason=\"{}\"", message,
                        e.getMessage());
                return false;
            }
            moveToCorrupt(id, e);
            return false;
        }
        if (!hasState) {
            return true;
        }
        Path state = layout.state(id);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(state))) {
            StateFile.read(in);
            return true;
        } catch (SpoolFormatException e) {
            if (e.unsupportedVersion()) {
                LOG.error("spool_unsupported_version path={} action=left_in_place reason=\"{}\"", state,
                        e.getMessage());
                return false;
            }
            LOG.error("spool_damaged_state path={} action=deleted_retry_all_recipients reason=\"{}\"", state,
                    e.getMessage());
            Files.delete(state);
            changed = true;
            return true;
        }
    }

    private void moveToCorrupt(QueueId id, SpoolFormatException reason) throws IOException {
        Path corrupt = layout.corrupt();
        Files.createDirectories(corrupt);
        for (Path file : List.of(layout.message(id), layout.state(id))) {
            if (Files.exists(file)) {
                Files.move(file, corrupt.resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE);
            }
        }
        changed = true;
        LOG.error("spool_damaged_message id={} action=moved_to_corrupt dir={} reason=\"{}\"", id, corrupt,
                reason.getMessage());
    }

    private void removeOrphanState(QueueId id) throws IOException {
        Path state = layout.state(id);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(state))) {
            StateFile.read(in);
        } catch (SpoolFormatException e) {
            if (e.unsupportedVersion()) {
                LOG.error("spool_unsupported_version path={} action=left_in_place reason=\"{}\"", state,
                        e.getMessage());
                return;
            }
        }
        LOG.info("spool_recover_orphan_state path={} action=deleted", state);
        Files.delete(state);
        changed = true;
    }
}
