package org.mxguard.policy;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules' meaning written plainly: every rule in file order, no index. It is the reference the
 * indexed {@link RuleSet} is tested against, and it explains a decision rule by rule for
 * {@code policy check}.
 */
final class LinearMatcher {

    private final List<Rule> rules;
    private final DnsblLookup dnsbl;
    private final Clock clock;

    LinearMatcher(List<Rule> rules, DnsblLookup dnsbl, Clock clock) {
        this.rules = List.copyOf(rules);
        this.dnsbl = dnsbl;
        this.clock = clock;
    }

    /**
     * The first rule that matches, with whether it acts at the query's stage; null if none does.
     *
     * @param rule the matching rule
     * @param actsNow false when the rule bites at a later stage
     */
    record Found(Rule rule, boolean actsNow) {
    }

    Found find(PolicyQuery query) {
        QueryView q = new QueryView(query, dnsbl);
        long now = clock.millis();
        for (Rule r : rules) {
            if (status(r, q, now) == null) {
                return new Found(r, r.actAt().compareTo(q.stage) <= 0);
            }
        }
        return null;
    }

    /** One line per rule up to the first match: why each earlier rule did not match. */
    List<String> trace(PolicyQuery query) {
        QueryView q = new QueryView(query, dnsbl);
        long now = clock.millis();
        List<String> out = new ArrayList<>();
        for (Rule r : rules) {
            String why = status(r, q, now);
            if (why == null) {
                out.add(r.ref() + ": MATCH " + r.render());
                return out;
            }
            out.add(r.ref() + ": no (" + why + ") " + r.render());
        }
        return out;
    }

    /** Null when the rule matches, else why not. */
    private static String status(Rule r, QueryView q, long now) {
        if (r.neededStage().compareTo(q.stage) > 0) {
            return "needs data known at " + r.neededStage();
        }
        if (r.expires() != null && now >= r.expires().toEpochMilli()) {
            return "expired " + r.expires();
        }
        for (Condition c : r.conditions()) {
            if (!q.satisfies(c)) {
                return c.render() + " does not hold";
            }
        }
        return null;
    }
}
