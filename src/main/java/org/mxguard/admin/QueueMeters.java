package org.mxguard.admin;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.mxguard.delivery.QueueAdmin;
import org.mxguard.delivery.QueueEntry;

/**
 * The queue's size and the age of its oldest message, read from the spool once per scrape (not
 * per gauge, so the two numbers describe the same moment).
 */
final class QueueMeters {

    private final QueueAdmin queue;
    private final Clock clock;
    private volatile double size;
    private volatile double oldestSeconds;

    QueueMeters(MeterRegistry registry, QueueAdmin queue, Clock clock) {
        this.queue = queue;
        this.clock = clock;
        Gauge.builder("mxguard.queue.messages", this, q -> q.size)
                .description("Messages in the queue, held ones included").register(registry);
        Gauge.builder("mxguard.queue.oldest.message.age", this, q -> q.oldestSeconds).baseUnit("seconds")
                .description("Age of the oldest queued message, 0 when the queue is empty").register(registry);
    }

    /** Reads the queue; on a spool error the gauges keep their last values and the error is thrown. */
    void refresh() throws IOException {
        List<QueueEntry> entries = queue.list();
        size = entries.size();
        oldestSeconds = entries.stream().map(QueueEntry::arrival).min(java.util.Comparator.naturalOrder())
                .map(arrival -> Math.max(0, Duration.between(arrival, clock.instant()).toMillis() / 1000.0))
                .orElse(0.0);
    }
}
