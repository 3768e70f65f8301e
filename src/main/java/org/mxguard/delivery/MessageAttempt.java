package org.mxguard.delivery;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.mxguard.mail.Domain;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.QueueId;
import org.mxguard.spool.DeliveryState;
import org.mxguard.spool.QueuedMessage;
import org.mxguard.spool.Spool;

/**
 * One delivery attempt of one queued message, and the application of its results through the
 * spool: delivered recipients leave, bounced ones get a DSN (never to {@code <>}), deferred ones
 * stay with the next attempt time; once the lifetime is over, deferred counts as bounced.
 *
 * <p>A queued message's life, as the spool's {@link DeliveryState} records it:
 * <pre>
 *   queued (attempts 0) --due--> attempt --all delivered or bounced--> removed
 *                                        --some deferred--> deferred (pending, attempts+1, next time)
 *   deferred --due, flush, ETRN, probe--> attempt;  past the lifetime, deferred counts as bounced
 *   any --hold--> held (never tried) --release--> due now;  any --delete--> removed, no DSN
 * </pre>
 * The attempt's result and the postmaster's hold or release each change the state through one
 * {@link Spool#update}, so neither undoes the other.
 *
 * <p>Order matters for durability: a DSN is committed to the spool before the message's new state
 * is saved, so a crash in between repeats the DSN but never loses it.
 *
 * <p>When the spool cannot record an outcome (a file system gone read-only, an I/O error), the
 * message stays queued and is tried again, but the recipients already delivered or bounced are
 * remembered in memory and not tried again while this process runs: only the removal or the update
 * is. A spool that cannot be written then makes no duplicates; a restart meanwhile may make one
 * (the window of RFC 1047, as a crash between delivery and removal).
 */
public final class MessageAttempt {

    private final Spool spool;
    private final DeliverySettings settings;
    private final Clock clock;
    private final Courier courier;
    private final RetryPolicy retry;
    private final BounceWriter bounces;
    private final DeliveryLog log;
    private final Schedule schedule;
    private final DestinationSlots destinations;
    private final Map<QueueId, Set<MailAddress>> unrecorded = new ConcurrentHashMap<>();

    public MessageAttempt(Spool spool, DeliverySettings settings, Clock clock, Courier courier, RetryPolicy retry,
            BounceWriter bounces, DeliveryLog log, Schedule schedule) {
        this.spool = spool;
        this.settings = settings;
        this.clock = clock;
        this.courier = courier;
        this.retry = retry;
        this.bounces = bounces;
        this.log = log;
        this.schedule = schedule;
        this.destinations = new DestinationSlots(settings.destinationConcurrency());
    }

    /** Tries the message once. Returns the domains whose servers took mail in this attempt. */
    List<Domain> run(QueueId id) throws IOException {
        Optional<QueuedMessage> loaded = spool.load(id);
        if (loaded.isEmpty() || loaded.get().state().held()) {
            schedule.forget(id);
            return List.of();
        }
        QueuedMessage message = loaded.get();
        Set<MailAddress> settled = unrecorded.getOrDefault(id, Set.of());
        List<MailAddress> pending = message.state().pending().stream().filter(r -> !settled.contains(r)).toList();
        if (pending.isEmpty()) {
            finish(id);
            return List.of();
        }
        Map<Domain, List<MailAddress>> byDomain = new LinkedHashMap<>();
        for (MailAddress rcpt : pending) {
            byDomain.computeIfAbsent(rcpt.domain(), d -> new ArrayList<>()).add(rcpt);
        }
        if (!destinations.take(byDomain.keySet(), id)) {
            // A destination is at its concurrency limit: the message waits in its line, not in a
            // thread, and is tried when an attempt there ends. Not an attempt: nothing is logged.
            return List.of();
        }
        try {
            return attempt(message, byDomain);
        } finally {
            for (QueueId next : destinations.release(byDomain.keySet())) {
                schedule.at(next, clock.instant());
            }
        }
    }

    private List<Domain> attempt(QueuedMessage message, Map<Domain, List<MailAddress>> byDomain) throws IOException {
        QueueId id = message.id();
        Instant attemptStart = clock.instant();
        // The SMTP server logs a received message's first "queue active" line when it queues it;
        // Postfix logs one again each time a deferred message comes back, and one for each bounce.
        if (message.state().attempts() > 0 || "local".equals(message.envelope().client().protocol())) {
            log.active(message);
        }
        List<DeliveryResult> results = new ArrayList<>();
        List<Domain> answered = new ArrayList<>();
        for (Map.Entry<Domain, List<MailAddress>> group : byDomain.entrySet()) {
            Attempt attempt = courier.deliver(message, group.getKey(), group.getValue(), () -> spool.openContent(id));
            Instant now = clock.instant();
            for (DeliveryResult r : attempt.results()) {
                log.result(id, r, message.envelope().received(), attemptStart, attempt, now);
            }
            results.addAll(attempt.results());
            if (attempt.anyDelivered()) {
                answered.add(group.getKey());
            }
        }
        apply(message, results);
        return answered;
    }

    private void apply(QueuedMessage message, List<DeliveryResult> results) throws IOException {
        QueueId id = message.id();
        Instant now = clock.instant();
        Instant received = message.envelope().received();
        MailAddress sender = message.envelope().sender();
        List<DeliveryResult> failed = new ArrayList<>();
        List<DeliveryResult> deferred = new ArrayList<>();
        for (DeliveryResult r : results) {
            switch (r) {
                case DeliveryResult.Delivered d -> { }
                case DeliveryResult.Bounced b -> failed.add(b);
                case DeliveryResult.Deferred d -> deferred.add(d);
            }
        }
        if (!deferred.isEmpty() && retry.expired(received, now)) {
            log.expired(id, sender);
            failed.addAll(deferred);
            deferred.clear();
        }
        String dsnError = null;
        if (!failed.isEmpty()) {
            try {
                notifyFailure(message, failed);
            } catch (IOException e) {
                // No DSN could be written (spool full?): keep those recipients queued rather than lose
                // the failure report, and keep the delivered ones out of the next attempt.
                dsnError = "cannot write the delivery status notification: " + e.getMessage();
                log.warning(id + ": " + dsnError);
                deferred.addAll(failed);
            }
        }
        boolean warned = message.state().warned();
        if (!deferred.isEmpty() && !warned && settings.delayWarning() != null
                && !now.isBefore(received.plus(settings.delayWarning()))) {
            try {
                if (!sender.isNullSender()) {
                    QueueId notice = bounces.write(message, sender, deferred, DsnComposer.Kind.DELAYED,
                            received.plus(settings.lifetime()));
                    log.delayed(id, notice);
                    schedule.at(notice, now);
                }
                warned = true;
            } catch (IOException e) {
                // The warning is sent at a later attempt; the delivered recipients are still recorded below.
                log.warning(id + ": cannot write the delay notification: " + e.getMessage());
            }
        }
        try {
            record(message, deferred, dsnError, warned, now);
        } catch (IOException e) {
            Set<MailAddress> settled = unrecorded.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet());
            for (DeliveryResult r : results) {
                if (!deferred.contains(r)) {
                    settled.add(r.recipient());
                }
            }
            throw e;
        }
    }

    private void record(QueuedMessage message, List<DeliveryResult> deferred, String dsnError, boolean warned,
            Instant now) throws IOException {
        QueueId id = message.id();
        Instant received = message.envelope().received();
        if (deferred.isEmpty()) {
            finish(id);
            return;
        }
        List<MailAddress> pending = deferred.stream().map(DeliveryResult::recipient).toList();
        String lastError = dsnError != null ? dsnError : reason(deferred.getLast());
        Instant next = retry.nextAttempt(received, now);
        boolean warnedNow = warned;
        // One step under the message's lock: the postmaster may hold, release or delete the message
        // while it is being delivered, and that change must survive this one.
        Optional<DeliveryState> saved = spool.update(id, s -> new DeliveryState(pending, s.attempts() + 1, next,
                lastError, s.held(), s.warned() || warnedNow));
        unrecorded.remove(id);
        if (saved.isEmpty()) {
            schedule.forget(id);
            return;
        }
        schedule.waiting(id, pending.stream().map(MailAddress::domain).toList());
        if (!saved.get().held()) {
            schedule.at(id, next);
        }
    }

    private void notifyFailure(QueuedMessage message, List<DeliveryResult> failed) throws IOException {
        QueueId id = message.id();
        Instant now = clock.instant();
        if (message.envelope().sender().isNullSender()) {
            log.nullSenderDropped(id, failed.size());
            if (settings.postmasterCopy() != null) {
                QueueId copy = bounces.write(message, settings.postmasterCopy(), failed, DsnComposer.Kind.FAILED, null);
                log.postmaster(id, copy);
                schedule.at(copy, now);
            }
            return;
        }
        QueueId notice = bounces.write(message, message.envelope().sender(), failed, DsnComposer.Kind.FAILED, null);
        log.nonDelivery(id, notice);
        schedule.at(notice, now);
    }

    private void finish(QueueId id) throws IOException {
        spool.remove(id);
        unrecorded.remove(id);
        log.removed(id);
        schedule.forget(id);
    }

    private static String reason(DeliveryResult result) {
        return switch (result) {
            case DeliveryResult.Deferred d -> d.reason();
            case DeliveryResult.Bounced b -> b.reason();
            case DeliveryResult.Delivered d -> d.reply().toString();
        };
    }
}
