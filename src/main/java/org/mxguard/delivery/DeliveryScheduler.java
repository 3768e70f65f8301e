package org.mxguard.delivery;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.mxguard.mail.Domain;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.QueueId;
import org.mxguard.spool.DeliveryState;
import org.mxguard.spool.QueuedMessage;
import org.mxguard.spool.Spool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue manager: decides which queued message is tried when and runs the attempts (each a
 * {@link MessageAttempt} on a virtual thread, at most {@code max_concurrency} at once).
 *
 * <p>Invariant: only ids and due times are held in memory (in a {@link Schedule}); everything else
 * is read from the spool when an attempt starts, so the schedule can always be rebuilt from the
 * spool alone.
 *
 * <p>Time comes from the injected {@link Clock}. Tests call {@link #runDue()} after moving a test
 * clock; production calls {@link #start()}, whose loop thread does the same when something is due.
 */
public final class DeliveryScheduler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryScheduler.class);

    private final Spool spool;
    private final DeliverySettings settings;
    private final Clock clock;
    private final DeliveryLog log;
    private final Prober prober;
    private final SmtpClient client;
    private final Schedule schedule;
    private final Set<Domain> probing = ConcurrentHashMap.newKeySet();
    private final MessageAttempt attempts;
    private final Semaphore overall;
    private final ExecutorService workers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("delivery-", 1).factory());
    private Thread loop;
    private volatile boolean closed;
    private Instant nextProbe;

    /**
     * A scheduler over collaborators the composition root built (so each is built once, where the
     * whole wiring can be read).
     *
     * @param schedule the ids and due times, shared with {@code attempts}, which reschedules
     * @param attempts runs one message's attempt and applies its results
     * @param prober asks whether a destination answers again
     * @param log the delivery side's mail log lines
     * @param client the SMTP client the attempts and probes use; the scheduler closes it
     */
    public DeliveryScheduler(Spool spool, DeliverySettings settings, Clock clock, Schedule schedule,
            MessageAttempt attempts, Prober prober, DeliveryLog log, SmtpClient client) {
        this.spool = spool;
        this.settings = settings;
        this.clock = clock;
        this.schedule = schedule;
        this.attempts = attempts;
        this.prober = prober;
        this.log = log;
        this.client = client;
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
            schedule.at(id, state.nextAttempt());
            if (state.attempts() > 0) {
                schedule.waiting(id, state.pending().stream().map(MailAddress::domain).toList());
            }
        }
    }

    /** Rebuilds the schedule and starts the loop thread that delivers whatever is due. */
    public void start() throws IOException {
        rebuild();
        loop = Thread.ofPlatform().name("qmgr").daemon().start(this::loop);
    }

    /** Adds a receiver of every recipient's delivery result (metrics, the dashboard). */
    public void addListener(DeliveryListener listener) {
        log.addListener(listener);
    }

    /** A message was just committed to the spool: try it now. */
    public void queued(QueueId id) {
        schedule.at(id, clock.instant());
    }

    /**
     * Tries everything deferred for a domain now (RFC 1985 ETRN; also done when the domain's
     * primary answers again). Per-destination concurrency still applies.
     */
    public void flush(Domain domain) {
        schedule.dueNow(domain, clock.instant());
    }

    /**
     * RFC 1985 ETRN: tries the deferred mail of a domain (with {@code subdomains}, of the domain and
     * every name below it) now, if its primary answers. Never blocks: the check and the flush run
     * on a worker. A destination whose primary does not answer is skipped as a whole, as Postfix
     * suspends a dead destination, so repeated ETRNs cost at most one probe per destination at a
     * time, never an attempt per message. Returns the destinations flushed, when known.
     */
    public Future<List<Domain>> etrn(Domain domain, boolean subdomains) {
        List<Domain> named = new ArrayList<>();
        for (Domain waiting : schedule.waitingDomains()) {
            if (waiting.equals(domain) || subdomains && waiting.isWithin(domain)) {
                named.add(waiting);
            }
        }
        return workers.submit(() -> {
            List<Domain> flushed = new ArrayList<>();
            for (Domain d : named) {
                if (!probing.add(d)) {
                    continue;
                }
                try {
                    if (prober.answers(d)) {
                        flush(d);
                        flushed.add(d);
                    } else {
                        log.info("qmgr", "ETRN: " + d + " does not answer; its mail waits for the next retry");
                    }
                } finally {
                    probing.remove(d);
                }
            }
            return flushed;
        });
    }

    /** Tries every queued message that is not held now. */
    public void flushAll() {
        schedule.allDueNow(clock.instant());
    }

    /**
     * Runs every attempt that is due by the clock, including those a flush made due on the way, and
     * returns when they are all done. Returns how many attempts were made.
     */
    public int runDue() {
        int made = 0;
        List<CompletableFuture<Void>> running = new ArrayList<>();
        try {
            while (true) {
                List<CompletableFuture<Void>> batch = dispatch();
                made += batch.size();
                running.addAll(batch);
                for (Iterator<CompletableFuture<Void>> it = running.iterator(); it.hasNext(); ) {
                    CompletableFuture<Void> f = it.next();
                    if (f.isDone()) {
                        it.remove();
                        report(f);
                    }
                }
                if (running.isEmpty()) {
                    if (batch.isEmpty()) {
                        return made;
                    }
                    continue;
                }
                // Any attempt's end may make more mail due (a destination's slot freed, a flush), so
                // the next round dispatches as soon as one ends, not when the whole batch has.
                CompletableFuture.anyOf(running.toArray(new CompletableFuture<?>[0])).handle((r, e) -> null).get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return made;
        }
    }

    private static void report(CompletableFuture<Void> f) throws InterruptedException {
        try {
            f.get();
        } catch (ExecutionException e) {
            LOG.error("delivery attempt failed unexpectedly", e.getCause());
        }
    }

    /** When the next attempt is due, if any message is scheduled. */
    public Optional<Instant> nextDue() {
        return schedule.nextDue();
    }

    /**
     * Checks the SMTP banner of every destination that has deferred mail, and flushes those that
     * answer. Returns the domains flushed.
     */
    public List<Domain> probe() {
        List<Domain> flushed = new ArrayList<>();
        for (Domain domain : schedule.waitingDomains()) {
            if (prober.answers(domain)) {
                flush(domain);
                flushed.add(domain);
            }
        }
        return flushed;
    }

    /** Forgets a message (held or deleted by the postmaster): it is not tried until queued again. */
    void forget(QueueId id) {
        schedule.forget(id);
    }

    /**
     * Starts an attempt for each due message, as many as {@code max_concurrency} allows: the rest
     * stay due in the schedule (not in threads of their own), so thousands of queued messages cost
     * no threads, and the end of an attempt lets the next one start.
     */
    private List<CompletableFuture<Void>> dispatch() throws InterruptedException {
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        List<QueueId> due = schedule.takeDue(clock.instant(), overall.availablePermits());
        for (int i = 0; i < due.size(); i++) {
            QueueId id = due.get(i);
            try {
                overall.acquire();
            } catch (InterruptedException e) {
                for (QueueId back : due.subList(i, due.size())) {
                    schedule.finished(back);
                    schedule.atIfUnscheduled(back, clock.instant());
                }
                throw e;
            }
            futures.add(CompletableFuture.runAsync(() -> attempt(id), workers));
        }
        return futures;
    }

    private void attempt(QueueId id) {
        try {
            List<Domain> answered = attempts.run(id);
            // RFC 5321 §4.5.4.1: a destination that took mail again gets the rest of its mail now.
            for (Domain domain : answered) {
                flush(domain);
            }
        } catch (IOException | RuntimeException e) {
            // The message is still in the spool: nothing is lost, it is only tried again later.
            LOG.error("{}: delivery attempt failed, will retry: {}", id, e.toString(), e);
            log.warning(id + ": delivery attempt failed: " + e);
            schedule.atIfUnscheduled(id, clock.instant().plus(settings.minBackoff()));
        } finally {
            overall.release();
            schedule.finished(id);
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
                schedule.awaitChange(clock.instant(), nextProbe);
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
        client.close();
    }
}
