package org.mxguard.primary;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Predicate;
import org.mxguard.delivery.PrimaryCheck;
import org.mxguard.evidence.PrimaryHealth;
import org.mxguard.mail.Domain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes each protected domain's primary MX every interval (banner, EHLO, QUIT, by
 * {@link PrimaryCheck}) and tells the MX-skip rule whether it is up, through {@link Hysteresis}.
 * A domain whose first probe has not answered yet counts as down: the rule waits until a primary
 * is known to be there. A domain that is not probed (not a protected domain) counts as up, as
 * with no probe at all. Each change is logged with what the probe found.
 *
 * <p>A protected subtree ({@code .example.org}) or address literal names no domain to probe in
 * advance: a recipient domain under it is learned the first time the rule asks about it, counts as
 * down until its first probe answers (probed at once), and is probed with the others from then on.
 * At most {@link #MAX_LEARNED} are learned at once (mail to random subdomains cannot grow the table
 * without bound; beyond it a new one counts as down, the safe side for mail), and one not asked
 * about for {@link #FORGET_AFTER} is no longer probed.
 */
public final class HealthProbe implements PrimaryHealth, AutoCloseable {

    /** Domains learned under protected subtrees and literals, probed at once at most. */
    static final int MAX_LEARNED = 1000;
    /** A learned domain not asked about for this long is forgotten. */
    static final Duration FORGET_AFTER = Duration.ofDays(1);

    private static final Logger LOG = LoggerFactory.getLogger(HealthProbe.class);

    private final List<Domain> domains;
    private final Function<Domain, PrimaryCheck.Result> check;
    private final ProbeSettings settings;
    private final Clock clock;
    private final Map<Domain, Hysteresis> states = new ConcurrentHashMap<>();
    private final Map<Domain, Instant> since = new ConcurrentHashMap<>();
    private final Predicate<Domain> learnable;
    /** Learned domains and when the rule last asked about each. */
    private final Map<Domain, Instant> learned = new ConcurrentHashMap<>();
    private volatile boolean fullLogged;
    private final ExecutorService probes = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean closed;
    private Thread loop;

    public HealthProbe(List<Domain> domains, Function<Domain, PrimaryCheck.Result> check, ProbeSettings settings,
            Clock clock) {
        this(domains, domain -> false, check, settings, clock);
    }

    /**
     * @param domains probed from the start: the protected domains by name, and the routed ones
     * @param learnable the other protected domains (under a subtree, literals): probed once asked about
     */
    public HealthProbe(List<Domain> domains, Predicate<Domain> learnable, Function<Domain, PrimaryCheck.Result> check,
            ProbeSettings settings, Clock clock) {
        this.learnable = learnable;
        this.domains = List.copyOf(domains);
        this.check = check;
        this.settings = settings;
        this.clock = clock;
        for (Domain d : this.domains) {
            states.put(d, Hysteresis.INITIAL);
        }
    }

    @Override
    public boolean primaryUp(Domain domain) {
        Hysteresis state = states.get(domain);
        if (state == null) {
            if (!learnable.test(domain)) {
                return true;
            }
            learn(domain);
            return false;
        }
        if (learned.containsKey(domain)) {
            learned.put(domain, clock.instant());
        }
        return state.state() == Hysteresis.State.UP;
    }

    /** Starts probing a protected domain first asked about now; its first probe runs at once. */
    private void learn(Domain domain) {
        if (learned.size() >= MAX_LEARNED) {
            if (!fullLogged) {
                fullLogged = true;
                LOG.warn("primary_probe domain={}: not probed, {} domains under protected subtrees probed already; "
                        + "the MX-skip rule does not apply to it", domain, MAX_LEARNED);
            }
            return;
        }
        if (learned.putIfAbsent(domain, clock.instant()) != null || states.putIfAbsent(domain, Hysteresis.INITIAL) != null) {
            return;
        }
        LOG.info("primary_probe domain={}: first mail for it, its primary probed from now on", domain);
        try {
            probes.submit(() -> probe(domain));
        } catch (RejectedExecutionException closing) {
            // The probe is closing with the server.
        }
    }

    /** Each probed domain's state ("UP", "DOWN", "UNKNOWN") and since when, for status output; learned ones last. */
    public Map<Domain, String> status() {
        Map<Domain, String> out = new LinkedHashMap<>();
        for (Domain d : probed()) {
            Hysteresis state = states.get(d);
            Instant at = since.get(d);
            if (state != null) {
                out.put(d, state.state() + (at == null ? "" : " since " + at));
            }
        }
        return out;
    }

    private List<Domain> probed() {
        List<Domain> all = new ArrayList<>(domains);
        all.addAll(learned.keySet());
        return all;
    }

    /** Probes every domain once, all at once, and returns when every probe has ended. */
    public void probeAll() throws InterruptedException {
        forgetUnused();
        List<Future<?>> running = probed().stream().map(d -> probes.submit(() -> probe(d))).<Future<?>>map(f -> f)
                .toList();
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                LOG.warn("primary probe failed: {}", e.getCause().toString());
            }
        }
    }

    /** Probes at once, then every interval, on its own thread, until closed. */
    public synchronized void start() {
        loop = Thread.ofVirtual().name("primary-probe").start(() -> {
            while (!closed) {
                try {
                    probeAll();
                    Thread.sleep(settings.interval());
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    private void forgetUnused() {
        Instant before = clock.instant().minus(FORGET_AFTER);
        learned.entrySet().removeIf(e -> {
            if (!e.getValue().isBefore(before)) {
                return false;
            }
            states.remove(e.getKey());
            since.remove(e.getKey());
            LOG.info("primary_probe domain={}: no mail for it in {}, no longer probed", e.getKey(), FORGET_AFTER);
            return true;
        });
        if (learned.size() < MAX_LEARNED) {
            fullLogged = false;
        }
    }

    private void probe(Domain domain) {
        PrimaryCheck.Result result = check.apply(domain);
        Hysteresis before = states.get(domain);
        if (before == null) {
            return;
        }
        Hysteresis after = before.next(result.up(), settings.downAfter(), settings.upAfter());
        if (!states.replace(domain, before, after)) {
            // Forgotten meanwhile, or probed twice at once (just learned): the other result counts.
            return;
        }
        if (after.state() == before.state()) {
            return;
        }
        since.put(domain, clock.instant());
        if (after.state() == Hysteresis.State.UP) {
            LOG.info("primary_up domain={} {}: the MX-skip rule applies to it", domain, result.detail());
        } else {
            LOG.warn("primary_down domain={} after {} failed probe(s): {}: the MX-skip rule is off for it",
                    domain, before.state() == Hysteresis.State.UNKNOWN ? 1 : settings.downAfter(), result.detail());
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread t;
        synchronized (this) {
            t = loop;
        }
        if (t != null) {
            t.interrupt();
        }
        probes.shutdownNow();
    }
}
