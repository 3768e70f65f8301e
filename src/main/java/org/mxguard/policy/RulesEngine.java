package org.mxguard.policy;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.mxguard.mail.Reply;

/**
 * The {@link PolicyEngine}: asks its rule sources in order (the rule file first, sources added at
 * run time after it) and returns the decision of the first rule that matches, with the global
 * safety switches applied: dry-run makes every refusal warn-only, soft-bounce turns 5xx into 4xx.
 */
public final class RulesEngine implements PolicyEngine {

    private final List<RuleSource> sources = new CopyOnWriteArrayList<>();
    /** The same sources as an array, replaced on {@link #addSource}: a decision allocates no iterator. */
    private volatile RuleSource[] sourceArray;
    private final PolicySettings settings;
    private final DnsblLookup dnsbl;
    private final Clock clock;

    public RulesEngine(List<RuleSource> sources, PolicySettings settings, DnsblLookup dnsbl, Clock clock) {
        this.sources.addAll(sources);
        this.sourceArray = this.sources.toArray(new RuleSource[0]);
        this.settings = settings;
        this.dnsbl = dnsbl;
        this.clock = clock;
    }

    /** Adds a source after the existing ones: its rules decide only what no earlier source decided. */
    public synchronized void addSource(RuleSource source) {
        sources.add(source);
        sourceArray = sources.toArray(new RuleSource[0]);
    }

    public List<RuleSource> sources() {
        return List.copyOf(sources);
    }

    @Override
    public Decision decide(PolicyQuery query) {
        QueryView q = new QueryView(query, dnsbl);
        long now = clock.millis();
        for (RuleSource source : sourceArray) {
            RuleSet set = source.current();
            long m = set.first(q, now);
            if (m != RuleSet.NO_MATCH) {
                if (!RuleSet.matchActsNow(m)) {
                    return Decision.CONTINUE;
                }
                int rule = RuleSet.matchRule(m);
                set.counters().hit(rule, now);
                return decision(set.body(m), set.ref(rule), RuleSet.matchLength(m), q);
            }
        }
        return Decision.CONTINUE;
    }

    /** The first match, for {@code policy check}; null when no rule matches. */
    public Explained explain(PolicyQuery query) {
        QueryView q = new QueryView(query, dnsbl);
        long now = clock.millis();
        for (RuleSource source : sources) {
            RuleSet set = source.current();
            RuleMatch m = set.find(q, now);
            if (m != null) {
                Decision d = m.actsNow() ? decision(set.body(m.rule()), m.ref(), m.networkLength(), q)
                        : Decision.CONTINUE;
                return new Explained(d, source.name(), m, set.body(m.rule()).actAt);
            }
        }
        return new Explained(Decision.CONTINUE, null, null, null);
    }

    /**
     * What decided a query.
     *
     * @param decision the decision, as {@link #decide} returns it
     * @param source the source of the rule, or null when no rule matched
     * @param match the rule, or null
     * @param actsAt the stage at which the rule's verdict bites, or null
     */
    public record Explained(Decision decision, String source, RuleMatch match, Stage actsAt) {
    }

    /**
     * {@code mxguard policy check}: one query against a rule file's rules, decided by the engine
     * (through its index) and, as a cross-check, by a plain top-to-bottom scan.
     *
     * @param name the rule file, for the source's name
     * @param rules the rules as read, in file order
     */
    public static Checked check(String name, List<Rule> rules, PolicySettings settings, DnsblLookup dnsbl,
            Clock clock, PolicyQuery query) {
        RuleSet set = RuleSet.compile(name, rules, settings);
        RuleSource source = new RuleSource() {
            @Override
            public String name() {
                return "rules file " + name;
            }

            @Override
            public RuleSet current() {
                return set;
            }
        };
        Explained explained = new RulesEngine(List.of(source), settings, dnsbl, clock).explain(query);
        LinearMatcher linear = new LinearMatcher(rules, dnsbl, clock);
        LinearMatcher.Found found = linear.find(query);
        return new Checked(explained, explained.match() == null ? null : rules.get(explained.match().rule()),
                found == null ? null : found.rule(), linear.trace(query));
    }

    /**
     * What {@link #check} found.
     *
     * @param explained the engine's decision and the rule that made it
     * @param rule the deciding rule as written, or null when none matched
     * @param linearRule the rule a top-to-bottom scan finds first, or null; always {@code rule} unless the
     *     index is wrong
     * @param trace every rule checked before the deciding one, and why it did not match
     */
    public record Checked(Explained explained, Rule rule, Rule linearRule, List<String> trace) {

        /** True when the index and the scan chose the same rule. */
        public boolean agrees() {
            return java.util.Objects.equals(rule == null ? null : rule.ref(),
                    linearRule == null ? null : linearRule.ref());
        }
    }

    private Decision decision(RuleBody body, RuleRef ref, int networkLength, QueryView q) {
        Reason reason = body.reason != null ? body.reason : describe(body, networkLength, q);
        boolean warnOnly = settings.dryRun() || body.action == Action.WARN;
        Reply reply = body.reply;
        if (reply != null && settings.softBounce()) {
            reply = reply.softened();
        }
        return switch (body.action) {
            case ACCEPT -> new Decision.Accept(ref);
            case TEMPFAIL -> new Decision.Tempfail(reply, ref, reason, warnOnly);
            // A warn rule reports what it would have said: a 5xx text is a would-be reject.
            case WARN -> reply.isPermanent() ? new Decision.Reject(reply, ref, reason, true)
                    : new Decision.Tempfail(reply, ref, reason, true);
            case REJECT -> new Decision.Reject(reply, ref, reason, warnOnly);
            case DISCONNECT -> new Decision.Disconnect(reply, ref, reason, warnOnly);
        };
    }

    private static Reason describe(RuleBody body, int length, QueryView q) {
        if (body.description != null) {
            return body.description;
        }
        // The matched network as the rule wrote it; the client's address is in the log line anyway.
        return Reason.client(q.v4, q.hi, q.lo, length);
    }
}
