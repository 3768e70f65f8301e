package org.mxguard.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mxguard.mail.Domain;
import org.mxguard.mail.QueueId;
import org.mxguard.maillog.MailLog;
import org.mxguard.spool.DeliveryState;
import org.mxguard.spool.QueuedMessage;
import org.mxguard.spool.Spool;

/**
 * What a postmaster does to the queue (Postfix's mailq, postqueue -f/-s, postsuper -h/-H/-d), for
 * the CLI to call through the control channel. Changes go through the spool and the scheduler,
 * like every other change to a queued message.
 */
public final class QueueAdmin {

    private final Spool spool;
    private final DeliveryScheduler scheduler;
    private final Clock clock;
    private final MailLog mailLog;

    public QueueAdmin(Spool spool, DeliveryScheduler scheduler, Clock clock, MailLog mailLog) {
        this.spool = spool;
        this.scheduler = scheduler;
        this.clock = clock;
        this.mailLog = mailLog;
    }

    /** Every queued message, oldest first. Render with {@link MailqFormat}. */
    public List<QueueEntry> list() throws IOException {
        List<QueueEntry> entries = new ArrayList<>();
        for (QueueId id : spool.list()) {
            spool.load(id).ifPresent(m -> entries.add(entry(m)));
        }
        return entries;
    }

    /** One message's entry and its stored content (headers and body). */
    public Optional<Shown> show(QueueId id) throws IOException {
        Optional<QueuedMessage> message = spool.load(id);
        if (message.isEmpty()) {
            return Optional.empty();
        }
        byte[] content;
        try (InputStream in = spool.openContent(id)) {
            content = in.readAllBytes();
        }
        return Optional.of(new Shown(entry(message.get()), content));
    }

    /** RFC 1985 ETRN and postqueue -s: try a domain's mail now. */
    public void flush(Domain domain) {
        scheduler.flush(domain);
    }

    /** postqueue -f: try everything now. */
    public void flushAll() {
        scheduler.flushAll();
    }

    /** Keeps a message queued but never tries it until released. Returns false if there is no such message. */
    public boolean hold(QueueId id) throws IOException {
        if (spool.update(id, s -> new DeliveryState(s.pending(), s.attempts(), s.nextAttempt(), s.lastError(), true,
                s.warned())).isEmpty()) {
            return false;
        }
        scheduler.forget(id);
        mailLog.log("postsuper", id + ": placed on hold");
        return true;
    }

    /** Releases a held message and tries it now. */
    public boolean release(QueueId id) throws IOException {
        if (spool.update(id, s -> new DeliveryState(s.pending(), s.attempts(), clock.instant(), s.lastError(), false,
                s.warned())).isEmpty()) {
            return false;
        }
        mailLog.log("postsuper", id + ": released from hold");
        scheduler.queued(id);
        return true;
    }

    /** Deletes a message for good, without a DSN. */
    public boolean delete(QueueId id) throws IOException {
        if (spool.load(id).isEmpty()) {
            return false;
        }
        scheduler.forget(id);
        spool.remove(id);
        mailLog.log("postsuper", id + ": removed");
        return true;
    }

    private static QueueEntry entry(QueuedMessage m) {
        DeliveryState s = m.state();
        return new QueueEntry(m.id(), m.envelope().received(), m.size(), m.envelope().sender(), s.pending(),
                s.lastError(), s.held(), s.attempts(), s.nextAttempt());
    }

    /** A message as {@link #show} returns it. */
    public record Shown(QueueEntry entry, byte[] content) {
    }
}
