package org.mxguard.primary;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.mxguard.evidence.ContactRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's mail log as a running source of contacts: every configured file followed and the
 * syslog receiver, each line through {@link LogContacts} into one {@link ContactRecorder}.
 */
public final class PrimaryLogs implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PrimaryLogs.class);

    private final List<FileFollower> followers = new ArrayList<>();
    private SyslogReceiver receiver;

    private PrimaryLogs() {
    }

    /**
     * Starts following and receiving; on failure stops what it started.
     *
     * @param ownProgram mxguard's own syslog name, whose lines are never taken as the primary's
     */
    public static PrimaryLogs start(PrimarySettings settings, ContactRecorder recorder, Clock clock,
            String ownProgram) throws IOException {
        PrimaryLogs logs = new PrimaryLogs();
        try {
            for (Path file : settings.logFiles()) {
                LogContacts contacts = new LogContacts(recorder, clock, ownProgram);
                FileFollower follower = new FileFollower(file, false, settings.pollInterval(), clock, contacts::line);
                follower.poll();
                follower.start();
                logs.followers.add(follower);
                LOG.info("following the primary's log {}", file);
            }
            if (settings.syslog().enabled()) {
                LogContacts contacts = new LogContacts(recorder, clock, ownProgram);
                logs.receiver = new SyslogReceiver(settings.syslog(), clock, contacts::line);
                logs.receiver.start();
            }
        } catch (IOException | RuntimeException e) {
            logs.close();
            throw e;
        }
        return logs;
    }

    /** The syslog receiver, when one is configured (tests read its bound ports). */
    public SyslogReceiver receiver() {
        return receiver;
    }

    @Override
    public void close() {
        if (receiver != null) {
            receiver.close();
        }
        for (FileFollower follower : followers) {
            try {
                follower.close();
            } catch (IOException e) {
                LOG.warn("while closing {}: {}", follower.path(), e.toString());
            }
        }
    }
}
