package org.mxguard.admin;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import org.mxguard.evidence.Block;
import org.mxguard.evidence.MxSkip;
import org.mxguard.evidence.PrimaryHealth;
import org.mxguard.evidence.RedisStore;
import org.mxguard.mail.Domain;

/**
 * The MX-skip rule's numbers: its decisions by outcome, the blocks in force by origin, whether the
 * evidence store writes, and whether each protected domain's primary answers. The domain label's
 * values come from the configuration, so they are as bounded as the list of protected domains.
 */
final class MxSkipMeters {

    // Micrometer holds a gauge's object weakly; these objects (lambdas made here and by the
    // composition root) have no other holder, hence the strong references.

    private MxSkipMeters() {
    }

    static void bind(MeterRegistry registry, MxSkip mxSkip, PrimaryHealth health, List<Domain> domains,
            Clock clock) {
        for (String outcome : mxSkip.rule().outcomes().keySet()) {
            FunctionCounter.builder("mxguard.mx.skip.decisions", mxSkip, m -> m.rule().outcomes().get(outcome))
                    .tag("outcome", outcome)
                    .description("MX-skip rule decisions at RCPT by outcome (refused: would refuse in observe mode)")
                    .register(registry);
        }
        for (Block.Origin origin : Block.Origin.values()) {
            Gauge.builder("mxguard.mx.skip.blocks", blocks(mxSkip, origin, clock), s -> s.get())
                    .tag("origin", origin.word()).description("Blocks in force, by who made them")
                    .strongReference(true).register(registry);
        }
        Gauge.builder("mxguard.evidence.store.healthy", mxSkip, m -> m.store().healthy() ? 1 : 0)
                .description("1 while the evidence store's writes to disk succeed, 0 after a failed write")
                .strongReference(true).register(registry);
        Gauge.builder("mxguard.evidence.store.degraded", mxSkip, m -> m.store().degraded() ? 1 : 0)
                .description("1 while the store may miss what other hosts learned (shared store unreachable)")
                .strongReference(true).register(registry);
        Gauge.builder("mxguard.evidence.store.loading", mxSkip, m -> m.store().loading() ? 1 : 0)
                .description("1 while the store reads what it held before this start (the MX-skip rule refuses "
                        + "no one for lack of a contact meanwhile)")
                .strongReference(true).register(registry);
        FunctionCounter.builder("mxguard.evidence.store.dropped.changes", mxSkip, m -> m.store().droppedChanges())
                .description("Changes the evidence store could not queue for its file (kept in memory only)")
                .register(registry);
        if (mxSkip.store() instanceof RedisStore fleet) {
            fleet(registry, fleet);
        }
        for (Domain domain : domains) {
            Gauge.builder("mxguard.primary.up", health, h -> h.primaryUp(domain) ? 1 : 0)
                    .tag("domain", domain.toString())
                    .description("1 while the domain's primary MX is taken to answer, 0 while it is down")
                    .strongReference(true).register(registry);
        }
    }

    /** The shared store's link: outages (each one logged), and the changes flowing each way. */
    private static void fleet(MeterRegistry registry, RedisStore fleet) {
        FunctionCounter.builder("mxguard.evidence.fleet.outages", fleet, RedisStore::outages)
                .description("Times the fleet's Redis went away since start (an unreachable start counts as one)")
                .register(registry);
        FunctionCounter.builder("mxguard.evidence.fleet.changes", fleet, RedisStore::changesSent).tag("direction", "sent")
                .description("Changes written to the fleet's Redis (sent) and heard from other hosts (received)")
                .register(registry);
        FunctionCounter.builder("mxguard.evidence.fleet.changes", fleet, RedisStore::changesReceived)
                .tag("direction", "received")
                .description("Changes written to the fleet's Redis (sent) and heard from other hosts (received)")
                .register(registry);
        Gauge.builder("mxguard.evidence.fleet.changes.waiting", fleet, RedisStore::changesWaiting)
                .description("Keys changed here and not yet in Redis (grows while Redis is away)")
                .strongReference(true).register(registry);
    }

    private static Supplier<Double> blocks(MxSkip mxSkip, Block.Origin origin, Clock clock) {
        return () -> (double) mxSkip.store().blocks().stream()
                .filter(b -> b.origin() == origin && !b.expired(clock.instant())).count();
    }
}
