package org.mxguard.admin;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.mxguard.delivery.DeliveryListener;
import org.mxguard.delivery.QueueAdmin;
import org.mxguard.evidence.MxSkip;
import org.mxguard.smtp.SessionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's numbers in Prometheus's text format: traffic counted from the session and delivery
 * listeners, the queue and the rule counters read at scrape time, and the JVM's own meters. The
 * same listeners feed what the dashboard draws beyond the counters: the last day minute by minute
 * ({@link MinuteHistory}, the queue sampled once a minute) and the sources caught ({@link CaughtSources}).
 * Micrometer's names become Prometheus names: {@code mxguard.smtp.connections} is exposed as
 * {@code mxguard_smtp_connections_total}, a gauge with base unit seconds gets {@code _seconds}.
 */
public final class Metrics implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Metrics.class);

    /** A day of minutes. */
    static final int HISTORY_MINUTES = 24 * 60;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MinuteHistory history;
    private final TrafficMeters traffic;
    private final CaughtSources caught = new CaughtSources();
    private final QueueAdmin queueAdmin;
    private final QueueMeters queue;
    private final RuleMeters rules;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private volatile MxSkip mxSkip;
    private ScheduledExecutorService sampler;

    public Metrics(QueueAdmin queue, RuleHits hits, Clock clock) {
        // Before any meter is registered, as Micrometer asks. promtool's lint refuses these two
        // names (a "_ns" unit, a "_count" suffix on a gauge); process_cpu_usage and
        // system_cpu_usage say the same.
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")
                || id.getName().equals("system.cpu.count")));
        this.history = new MinuteHistory(clock, HISTORY_MINUTES);
        this.traffic = new TrafficMeters(registry, history);
        this.queueAdmin = queue;
        this.queue = new QueueMeters(registry, queue, clock);
        this.rules = new RuleMeters(registry, hits);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /**
     * Adds the MX-skip rule's meters (decisions, blocks, store health) and each protected domain's
     * primary health.
     */
    public void watch(MxSkipView view, Clock clock) {
        MxSkipMeters.bind(registry, view.mxSkip(), view.health(), view.domains(), clock);
        this.mxSkip = view.mxSkip();
    }

    /** Samples the queue size into the history now and then once a minute, until {@link #close}. */
    public void startSampling() {
        sampler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("history-sampler")
                .factory());
        sampler.scheduleAtFixedRate(this::sampleQueue, 0, 60, TimeUnit.SECONDS);
    }

    /** The queue's size into the history; a spool that cannot be read leaves a gap in the chart. */
    void sampleQueue() {
        try {
            history.queue(queueAdmin.list().size());
        } catch (IOException | RuntimeException e) {
            LOG.warn("history: cannot read the queue: {}", e.toString());
        }
    }

    /** Subscribe to every SMTP session. */
    public SessionListener sessions() {
        return event -> {
            traffic.onEvent(event);
            caught.onEvent(event);
        };
    }

    MinuteHistory history() {
        return history;
    }

    CaughtSources caught() {
        return caught;
    }

    /** Subscribe to every delivery result. */
    public DeliveryListener deliveries() {
        return traffic;
    }

    /** The counters behind the API's {@code /api/counters}. */
    Map<String, Long> counts() {
        Map<String, Long> counts = traffic.counts();
        MxSkip m = mxSkip;
        if (m != null) {
            m.rule().outcomes().forEach((outcome, n) -> counts.put("mx_skip_" + outcome, n));
        }
        return counts;
    }

    /** Everything, in the Prometheus text exposition format 0.0.4. */
    public String scrape() {
        try {
            queue.refresh();
        } catch (IOException e) {
            // The scrape still answers: the traffic and JVM numbers are worth having.
            LOG.warn("metrics: cannot read the queue: {}", e.toString());
        }
        rules.refresh();
        return registry.scrape();
    }

    @Override
    public void close() {
        if (sampler != null) {
            sampler.shutdownNow();
        }
        gc.close();
        registry.close();
    }
}
