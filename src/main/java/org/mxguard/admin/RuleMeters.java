package org.mxguard.admin;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One counter per rule in force, labelled with the rule's file:line: as many series as rules, never
 * one per client. A reload can add and remove rules, so the meters follow the rule sets at every
 * scrape; a removed rule's series disappears.
 */
final class RuleMeters {

    private final MeterRegistry registry;
    private final RuleHits hits;
    private final Map<String, Long> values = new ConcurrentHashMap<>();
    private final Map<String, FunctionCounter> meters = new HashMap<>();

    RuleMeters(MeterRegistry registry, RuleHits hits) {
        this.registry = registry;
        this.hits = hits;
    }

    synchronized void refresh() {
        Map<String, Long> now = new HashMap<>();
        for (RuleHits.Stat stat : hits.stats()) {
            now.merge(stat.rule().toString(), stat.hits(), Long::sum);
        }
        values.putAll(now);
        for (String rule : now.keySet()) {
            meters.computeIfAbsent(rule, r -> FunctionCounter.builder("mxguard.rule.hits", values,
                    v -> v.getOrDefault(r, 0L)).tag("rule", r)
                    .description("Decisions made by each rule in force, labelled file:line").register(registry));
        }
        meters.entrySet().removeIf(e -> {
            if (now.containsKey(e.getKey())) {
                return false;
            }
            registry.remove(e.getValue());
            values.remove(e.getKey());
            return true;
        });
    }
}
