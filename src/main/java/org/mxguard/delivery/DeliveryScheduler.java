package org.mxguard.delivery;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.mxguard.dns.Dns;
import org.mxguard.mail.Domain;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.QueueId;
import org.mxguard.maillog.MailLog;
import org.mxguard.spool.DeliveryState;
import org.mxguard.spool.QueuedMessage;
import org.mxguard.spool.Spool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue manager: decides which queued message is tried when, runs the attempts, and applies
 * their results through the {@link Spool} (delivered: remove; temporary: new state with the next
 * attempt; permanent or expired: a DSN, then the new state).
 *
 * <p>Invariant: only ids and due times are held in memory (plus, for flushes, which domains a
 * deferred id waits for); everything else is read from the spool when an attempt starts, so the
 * schedule can always be rebuilt from the spool alone.
 *
 * <p>Time comes from the injected {@link Clock}. Tests call {@link #runDue()} after moving a test
 * clock; production calls {@link #start()}, whose loop thread does the same when something is due.
 */
public final class DeliveryScheduler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryScheduler.class);

    private final Spool spool;
    private final DeliverySettings settings;
    private final Clock clock;
    private final Courier courier;
    private final RetryPolicy retry;
    private final BounceWriter bounces;
    private final DeliveryLog log;
    private final Prober prober;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PriorityQueue<Due> queue = new PriorityQueue<>();
    private final Map<QueueId, Instant> dueTimes = new HashMap<>();
    private final Set<QueueId> running = new HashSet<>();
    private final Map<Domain, Set<QueueId>> waitingFor = new HashMap<>();
    private final Map<QueueId, Set<Domain>> domainsOf = new HashMap<>();
    private final Semaphore overall;
    private final Map<Domain, Semaphore> perDestination = new HashMap<>();
    private final ExecutorService workers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("delivery-", 1).factory());
    private Thread loop;
    private volatile boolean closed;
    private Instant nextProbe;

    public DeliveryScheduler(Spool spool, DeliverySettings settings, Dns dns, MailLog mailLog, Clock clock,
            Random random) {
        this.spool = spool;
        this.settings = settings;
        this.clock = clock;
        this.log = new DeliveryLog(mailLog);
        RoutePlanner planner = new RoutePlanner(settings, dns, random, LocalIdentity.from(settings), mailLog);
        this.courier = new Courier(planner, new SmtpClient(settings.hostname(), settings.timeouts(), settings.tls()),
                settings);
        this.retry = new RetryPolicy(settings, random);
        this.bounces = new BounceWriter(spool, new DsnComposer(settings.hostname(), clock), settings.hostname(), clock);
        this.prober = new Prober(planner, settings.timeouts(), log);
        this.overall = new Semaphore(settings.maxConcurrency(), true);
        this.nextProbe = clock.instant().plus(settings.probeInterval());
    }

    /**
     * Rebuilds the schedule from the spool's committed messages. The spool's own
     * {@link Spool#recover()} must have run before (the composition root runs it once).
     */
    public void rebuild() throws IOException {
        for (QueueId id : spool.list()) {
            Optional<QueuedMessage> message = spool.load(id);
            if (message.isEmpty() || message.get().state().held()) {
                continue;
            }
            DeliveryState state = message.get().state();
            lock.lock();
            try {
                schedule(id, state.nextAttempt());
                if (state.attempts() > 0) {
                    index(id, state.pending());
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Rebuilds the schedule and starts the loop thread that delivers whatever is due. */
    public void start() throws IOException {
        rebuild();
        loop = Thread.ofPlatform().name("qmgr").daemon().start(this::loop);
    }

    /** A message was just committed to the spool: try it now. */
    public void queued(QueueId id) {
        lock.lock();
        try {
            schedule(id, clock.instant());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Tries everything deferred for a domain now (RFC 1985 ETRN; also called when the domain's
     * primary answers again). Per-destination concurrency still applies.
     */
    public void flush(Domain domain) {
        lock.lock();
        try {
            Set<QueueId> ids = waitingFor.get(domain);
            if (ids != null) {
                Instant now = clock.instant();
                for (QueueId id : List.copyOf(ids)) {
                    if (dueTimes.containsKey(id)) {
                        schedule(id, now);
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Tries every queued message that is not held now. */
    public void flushAll() {
        lock.lock();
        try {
            Instant now = clock.instant();
            for (QueueId id : List.copyOf(dueTimes.keySet())) {
                schedule(id, now);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs every attempt that is due by the clock, including those a flush made due on the way, and
     * returns when they are all done. Returns how many attempts were made.
     */
    public int runDue() {
        int attempts = 0;
        while (true) {
            List<Future<?>> batch = dispatch();
            if (batch.isEmpty()) {
                return attempts;
            }
            attempts += batch.size();
            for (Future<?> f : batch) {
                try {
                    f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return attempts;
                } catch (ExecutionException e) {
                    LOG.error("delivery attempt failed unexpectedly", e.getCause());
                }
            }
        }
    }

    /** When the next attempt is due, if any message is scheduled. */
    public Optional<Instant> nextDue() {
        lock.lock();
        try {
            return dueTimes.values().stream().min(Instant::compareTo);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Checks the SMTP banner of every destination that has deferred mail, and flushes those that
     * answer. Returns the domains flushed.
     */
    public List<Domain> probe() {
        List<Domain> domains;
        lock.lock();
        try {
            domains = List.copyOf(waitingFor.keySet());
        } finally {
            lock.unlock();
        }
        List<Domain> flushed = new ArrayList<>();
        for (Domain domain : domains) {
            if (prober.answers(domain)) {
                flush(domain);
                flushed.add(domain);
            }
        }
        return flushed;
    }

    /** Forgets a message (held or deleted by the postmaster): it is not tried until queued again. */
    void forget(QueueId id) {
        lock.lock();
        try {
            dueTimes.remove(id);
            unindex(id);
        } finally {
            lock.unlock();
        }
    }

    private void schedule(QueueId id, Instant due) {
        dueTimes.put(id, due);
        queue.add(new Due(due, id));
        changed.signalAll();
    }

    private List<Future<?>> dispatch() {
        List<QueueId> due = new ArrayList<>();
        List<Due> postponed = new ArrayList<>();
        lock.lock();
        try {
            Instant now = clock.instant();
            while (!queue.isEmpty() && !queue.peek().time().isAfter(now)) {
                Due next = queue.poll();
                Instant current = dueTimes.get(next.id());
                // Stale entries (rescheduled or forgotten since) are skipped, not removed eagerly.
                if (current == null || !current.equals(next.time())) {
                    continue;
                }
                if (running.contains(next.id())) {
                    postponed.add(next);
                    continue;
                }
                dueTimes.remove(next.id());
                running.add(next.id());
                due.add(next.id());
            }
            // An attempt for these is still running; they are dispatched once it has finished.
            queue.addAll(postponed);
        } finally {
            lock.unlock();
        }
        List<Future<?>> futures = new ArrayList<>();
        for (QueueId id : due) {
            futures.add(workers.submit(() -> attempt(id)));
        }
        return futures;
    }

    private void attempt(QueueId id) {
        try {
            overall.acquire();
            try {
                deliver(id);
            } finally {
                overall.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            retryLater(id);
        } catch (IOException | RuntimeException e) {
            // The message is still in the spool: nothing is lost, it is only tried again later.
            LOG.error("{}: delivery attempt failed, will retry: {}", id, e.toString(), e);
            log.warning(id + ": delivery attempt failed: " + e);
            retryLater(id);
        } finally {
            lock.lock();
            try {
                running.remove(id);
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void retryLater(QueueId id) {
        lock.lock();
        try {
            if (!dueTimes.containsKey(id)) {
                schedule(id, clock.instant().plus(settings.minBackoff()));
            }
        } finally {
            lock.unlock();
        }
    }

    private void deliver(QueueId id) throws IOException, InterruptedException {
        Optional<QueuedMessage> loaded = spool.load(id);
        if (loaded.isEmpty() || loaded.get().state().held()) {
            forget(id);
            return;
        }
        QueuedMessage message = loaded.get();
        DeliveryState state = message.state();
        if (state.pending().isEmpty()) {
            finish(id);
            return;
        }
        Instant attemptStart = clock.instant();
        log.active(message);
        Map<Domain, List<MailAddress>> byDomain = new LinkedHashMap<>();
        for (MailAddress rcpt : state.pending()) {
            byDomain.computeIfAbsent(rcpt.domain(), d -> new ArrayList<>()).add(rcpt);
        }
        List<DeliveryResult> results = new ArrayList<>();
        List<Domain> answered = new ArrayList<>();
        for (Map.Entry<Domain, List<MailAddress>> group : byDomain.entrySet()) {
            Semaphore destination = destination(group.getKey());
            destination.acquire();
            Attempt attempt;
            try {
                attempt = courier.deliver(message, group.getKey(), group.getValue(), () -> spool.openContent(id));
            } finally {
                destination.release();
            }
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
        // RFC 5321 §4.5.4.1: a destination that took mail again gets the rest of its mail now.
        for (Domain domain : answered) {
            flush(domain);
        }
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
            if (!sender.isNullSender()) {
                QueueId notice = bounces.write(message, sender, deferred, DsnComposer.Kind.DELAYED,
                        received.plus(settings.lifetime()));
                log.delayed(id, notice);
                queued(notice);
            }
            warned = true;
        }
        if (deferred.isEmpty()) {
            finish(id);
            return;
        }
        List<MailAddress> pending = deferred.stream().map(DeliveryResult::recipient).toList();
        String lastError = dsnError != null ? dsnError : reason(deferred.getLast());
        Instant next = retry.nextAttempt(received, now);
        // The postmaster may have held or deleted the message while it was being delivered.
        Optional<QueuedMessage> current = spool.load(id);
        if (current.isEmpty()) {
            forget(id);
            return;
        }
        boolean held = current.get().state().held();
        spool.saveState(id, new DeliveryState(pending, message.state().attempts() + 1, next, lastError, held, warned));
        lock.lock();
        try {
            unindex(id);
            index(id, pending);
            if (!held) {
                schedule(id, next);
            }
        } finally {
            lock.unlock();
        }
    }

    private static String reason(DeliveryResult result) {
        return switch (result) {
            case DeliveryResult.Deferred d -> d.reason();
            case DeliveryResult.Bounced b -> b.reason();
            case DeliveryResult.Delivered d -> d.reply().toString();
        };
    }

    private void notifyFailure(QueuedMessage message, List<DeliveryResult> failed) throws IOException {
        QueueId id = message.id();
        if (message.envelope().sender().isNullSender()) {
            log.nullSenderDropped(id, failed.size());
            if (settings.postmasterCopy() != null) {
                QueueId copy = bounces.write(message, settings.postmasterCopy(), failed, DsnComposer.Kind.FAILED, null);
                log.postmaster(id, copy);
                queued(copy);
            }
            return;
        }
        QueueId notice = bounces.write(message, message.envelope().sender(), failed, DsnComposer.Kind.FAILED, null);
        log.nonDelivery(id, notice);
        queued(notice);
    }

    private void finish(QueueId id) throws IOException {
        spool.remove(id);
        log.removed(id);
        forget(id);
    }

    private void index(QueueId id, List<MailAddress> pending) {
        Set<Domain> domains = new HashSet<>();
        for (MailAddress rcpt : pending) {
            domains.add(rcpt.domain());
            waitingFor.computeIfAbsent(rcpt.domain(), d -> new HashSet<>()).add(id);
        }
        domainsOf.put(id, domains);
    }

    private void unindex(QueueId id) {
        Set<Domain> domains = domainsOf.remove(id);
        if (domains == null) {
            return;
        }
        for (Domain d : domains) {
            Set<QueueId> ids = waitingFor.get(d);
            if (ids != null) {
                ids.remove(id);
                if (ids.isEmpty()) {
                    waitingFor.remove(d);
                }
            }
        }
    }

    private Semaphore destination(Domain domain) {
        lock.lock();
        try {
            return perDestination.computeIfAbsent(domain, d -> new Semaphore(settings.destinationConcurrency(), true));
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        while (!closed) {
            try {
                dispatch();
                Instant now = clock.instant();
                if (!now.isBefore(nextProbe)) {
                    nextProbe = now.plus(settings.probeInterval());
                    workers.submit(this::probe);
                }
                lock.lock();
                try {
                    Instant wake = nextProbe;
                    Due head = queue.peek();
                    if (head != null && head.time().isBefore(wake)) {
                        wake = head.time();
                    }
                    long millis = Math.max(1, Duration.between(clock.instant(), wake).toMillis());
                    changed.await(Math.min(millis, 60_000), TimeUnit.MILLISECONDS);
                } finally {
                    lock.unlock();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("queue manager loop", e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        if (loop != null) {
            loop.interrupt();
        }
        workers.shutdownNow();
    }

    private record Due(Instant time, QueueId id) implements Comparable<Due> {
        @Override
        public int compareTo(Due other) {
            int c = time.compareTo(other.time);
            return c != 0 ? c : id.compareTo(other.id);
        }
    }
}
