package org.mxguard.admin;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.mxguard.policy.RuleCounters;
import org.mxguard.policy.RuleRef;
import org.mxguard.policy.RuleSet;
import org.mxguard.policy.RuleSource;

/**
 * How often each rule in force has decided: the one source of {@code mxguard policy stats}, the
 * API's rule list and the per-rule metric. Counts start at zero when a rule file is reloaded,
 * since a reloaded file's line numbers may name other rules.
 */
public final class RuleHits {

    private final List<RuleSource> sources;

    public RuleHits(List<RuleSource> sources) {
        this.sources = List.copyOf(sources);
    }

    /** Every rule in force, in the order the engine asks them. */
    public List<Stat> stats() {
        List<Stat> out = new ArrayList<>();
        for (RuleSource source : sources) {
            RuleSet set = source.current();
            RuleCounters counters = set.counters();
            for (int i = 0; i < set.size(); i++) {
                long last = counters.lastHitMillis(i);
                out.add(new Stat(source.name(), set.ref(i), counters.hits(i),
                        last == 0 ? null : Instant.ofEpochMilli(last)));
            }
        }
        return out;
    }

    /** The lines of {@code mxguard policy stats}: most hits first, rules never hit last. */
    public List<String> render() {
        List<Stat> stats = new ArrayList<>(stats());
        stats.sort((a, b) -> Long.compare(b.hits(), a.hits()));
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%10s  %-24s  %s", "hits", "last hit (UTC)", "rule"));
        for (Stat s : stats) {
            lines.add(String.format("%10d  %-24s  %s", s.hits(), s.lastHit() == null ? "-" : s.lastHit().toString(),
                    s.rule()));
        }
        return lines;
    }

    /**
     * One rule's counter.
     *
     * @param source the rule source's name ("rules file /etc/mxguard/access.rules")
     * @param lastHit when it last decided, or null if never
     */
    public record Stat(String source, RuleRef rule, long hits, Instant lastHit) {
    }
}
