package org.mxguard.primary;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
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
 */
public final class HealthProbe implements PrimaryHealth, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HealthProbe.class);

    private final List<Domain> domains;
    private final Function<Domain, PrimaryCheck.Result> check;
    private final ProbeSettings settings;
    private final Clock clock;
    private final Map<Domain, Hysteresis> states = new ConcurrentHashMap<>();
    private final Map<Domain, Instant> since = new ConcurrentHashMap<>();
    private final ExecutorService probes = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean closed;
    private Thread loop;

    public HealthProbe(List<Domain> domains, Function<Domain, PrimaryCheck.Result> check, ProbeSettings settings,
            Clock clock) {
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
        return state == null || state.state() == Hysteresis.State.UP;
    }

    /** Each probed domain's state ("UP", "DOWN", "UNKNOWN") and since when, for status output. */
    public Map<Domain, String> status() {
        Map<Domain, String> out = new LinkedHashMap<>();
        for (Domain d : domains) {
            Instant at = since.get(d);
            out.put(d, states.get(d).state() + (at == null ? "" : " since " + at));
        }
        return out;
    }

    /** Probes every domain once, all at once, and returns when every probe has ended. */
    public void probeAll() throws InterruptedException {
        List<Future<?>> running = domains.stream().map(d -> probes.submit(() -> probe(d))).<Future<?>>map(f -> f)
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

    private void probe(Domain domain) {
        PrimaryCheck.Result result = check.apply(domain);
        Hysteresis before = states.get(domain);
        Hysteresis after = before.next(result.up(), settings.downAfter(), settings.upAfter());
        states.put(domain, after);
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
