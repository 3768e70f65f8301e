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
    private final PolicySettings settings;
    private final DnsblLookup dnsbl;
    private final Clock clock;

    public RulesEngine(List<RuleSource> sources, PolicySettings settings, DnsblLookup dnsbl, Clock clock) {
        this.sources.addAll(sources);
        this.settings = settings;
        this.dnsbl = dnsbl;
        this.clock = clock;
    }

    /** Adds a source after the existing ones: its rules decide only what no earlier source decided. */
    public void addSource(RuleSource source) {
        sources.add(source);
    }

    public List<RuleSource> sources() {
        return List.copyOf(sources);
    }

    @Override
    public Decision decide(PolicyQuery query) {
        QueryView q = new QueryView(query, dnsbl);
        long now = clock.millis();
        for (RuleSource source : sources) {
            RuleSet set = source.current();
            RuleMatch m = set.find(q, now);
            if (m != null) {
                if (!m.actsNow()) {
                    return Decision.CONTINUE;
                }
                set.counters().hit(m.rule(), now);
                return decision(set.body(m.rule()), m, q);
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
                Decision d = m.actsNow() ? decision(set.body(m.rule()), m, q) : Decision.CONTINUE;
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

    private Decision decision(RuleBody body, RuleMatch m, QueryView q) {
        RuleRef ref = m.ref();
        String reason = body.reason != null ? body.reason : describe(body, m, q);
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

    private static String describe(RuleBody body, RuleMatch m, QueryView q) {
        if (body.description != null) {
            return body.description;
        }
        // The matched network as the rule wrote it; the client's address is in the log line anyway.
        Cidr net = q.v4 ? new Cidr(true, 0, q.lo & Cidr.maskV4(m.networkLength()), m.networkLength())
                : new Cidr(false, q.hi & Cidr.maskHi(m.networkLength()), q.lo & Cidr.maskLo(m.networkLength()),
                        m.networkLength());
        return "client " + net;
    }
}
