package org.mxguard.spool;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mxguard.mail.QueueId;

/**
 * Where each spool file lives and how it is named (docs/spool-format.md):
 * <pre>
 *   lock                      locked (fcntl) by the one mxguard using this spool
 *   incoming/ID.msg.tmp       a message being written; never part of the queue
 *   incoming/ID.N.state.tmp   a delivery state being written
 *   queue/ID.msg              a committed message: envelope and content, never changed
 *   queue/ID.state            its delivery state, absent until delivery first saves one
 *   corrupt/                  damaged files moved aside by recovery, for the postmaster
 * </pre>
 * Temporary files live in their own directory, on the same file system as the queue so a rename
 * moves them atomically, and so nothing that reads the queue directory can mistake them for mail.
 *
 * @param root the spool directory
 */
record SpoolLayout(Path root) {

    static final String MESSAGE_SUFFIX = ".msg";
    static final String STATE_SUFFIX = ".state";

    private static final Pattern QUEUE_NAME = Pattern.compile("([0-9A-Z]{12,24})(\\.msg|\\.state)");
    private static final Pattern TEMP_NAME = Pattern.compile("([0-9A-Z]{12,24})\\.(msg|[0-9]{1,19}\\.state)\\.tmp");

    Path journal() {
        return root.resolve("journal");
    }

    Path lockFile() {
        return root.resolve("lock");
    }

    Path incoming() {
        return root.resolve("incoming");
    }

    Path queue() {
        return root.resolve("queue");
    }

    Path corrupt() {
        return root.resolve("corrupt");
    }

    Path message(QueueId id) {
        return queue().resolve(id.value() + MESSAGE_SUFFIX);
    }

    Path state(QueueId id) {
        return queue().resolve(id.value() + STATE_SUFFIX);
    }

    Path incomingMessage(QueueId id) {
        return incoming().resolve(id.value() + MESSAGE_SUFFIX + ".tmp");
    }

    Path incomingState(QueueId id, long serial) {
        return incoming().resolve(id.value() + "." + serial + STATE_SUFFIX + ".tmp");
    }

    /** A file name in queue/: its id and whether it is the message (else the state). */
    record QueueName(QueueId id, boolean message) {
    }

    /** The meaning of a name in queue/, or null if it is not one this version writes. */
    static QueueName parseQueueName(String name) {
        Matcher m = QUEUE_NAME.matcher(name);
        if (!m.matches()) {
            return null;
        }
        return new QueueName(new QueueId(m.group(1)), m.group(2).equals(MESSAGE_SUFFIX));
    }

    /** The id of a temporary file in incoming/, or null if the name is not one this version writes. */
    static QueueId parseTempName(String name) {
        Matcher m = TEMP_NAME.matcher(name);
        return m.matches() ? new QueueId(m.group(1)) : null;
    }
}
