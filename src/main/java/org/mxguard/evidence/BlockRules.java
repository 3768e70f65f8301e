package org.mxguard.evidence;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mxguard.policy.Action;
import org.mxguard.policy.MemoryRuleSource;
import org.mxguard.policy.ParseError;
import org.mxguard.policy.PolicyParseException;
import org.mxguard.policy.Rule;
import org.mxguard.policy.RuleFileReader;
import org.mxguard.policy.RuleRef;
import org.mxguard.policy.RuleSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the policy engine's block rules equal to the store's blocks: each change of the blocks
 * compiles them into the {@link MemoryRuleSource} that the engine asks after the rule file, so a
 * block bites on the next query, with no reload, and an {@code accept} in the rule file still wins.
 * In observe mode the automatic blocks only warn; manual and imported ones always act.
 */
public final class BlockRules {

    private static final String REFUSED_AGAIN = "; refused again at ";
    private static final Logger LOG = LoggerFactory.getLogger(BlockRules.class);

    private final EvidenceStore store;
    private final MemoryRuleSource target;
    private final boolean automaticWarnOnly;
    private final Clock clock;
    private final java.time.Duration automaticExpiry;
    /** The blocks behind the rules in force, in rule order. */
    private volatile List<Block> compiled = List.of();
    /** The rules of the blocks in force by their text: a new block does not parse every other one again. */
    private Map<String, Rule> parsed = new HashMap<>();

    public BlockRules(EvidenceStore store, MemoryRuleSource target, boolean automaticWarnOnly,
            java.time.Duration automaticExpiry, Clock clock) {
        this.automaticExpiry = automaticExpiry;
        this.store = store;
        this.target = target;
        this.automaticWarnOnly = automaticWarnOnly;
        this.clock = clock;
        store.onBlocksChanged(this::rebuild);
        rebuild();
    }

    synchronized void rebuild() {
        Instant now = clock.instant();
        List<Rule> rules = new ArrayList<>();
        List<Block> behind = new ArrayList<>();
        Map<String, Rule> stillParsed = new HashMap<>();
        for (Block b : store.blocks()) {
            if (b.expired(now)) {
                continue;
            }
            Rule rule = parsed.get(b.rule());
            if (rule == null) {
                try {
                    rule = parse(b.rule(), b.target());
                } catch (PolicyParseException e) {
                    LOG.error("block {} has a rule that no longer parses, skipped: {}", b.target(), e.getMessage());
                    continue;
                }
            }
            stillParsed.put(b.rule(), rule);
            Action action = b.origin() == Block.Origin.AUTOMATIC && automaticWarnOnly && rule.action().refuses()
                    ? Action.WARN : rule.action();
            rules.add(new Rule(new RuleRef("block " + b.target(), 1), action, rule.reply(), rule.actAt(),
                    rule.conditions(), rule.expires(), rule.reason()));
            behind.add(b);
        }
        target.replace(rules);
        compiled = List.copyOf(behind);
        parsed = stillParsed;
    }

    /**
     * Extends each automatic block whose rule refused a client lately: a block goes on while the
     * source does. Refusals by the block never reach the MX-skip rule, so its hit counter is the
     * only sign that the source is still at it.
     */
    void extendActive() {
        RuleSet set = target.current();
        List<Block> blocks = compiled;
        for (int i = 0; i < blocks.size() && i < set.size(); i++) {
            Block b = blocks.get(i);
            long hit = set.counters().lastHitMillis(i);
            if (b.origin() != Block.Origin.AUTOMATIC || b.expires() == null || hit <= 0) {
                continue;
            }
            Instant until = Instant.ofEpochMilli(hit).plus(automaticExpiry);
            if (until.isAfter(b.expires().plus(java.time.Duration.ofHours(1)))) {
                String rule = b.rule().replace("until " + b.expires(), "until " + until);
                int again = b.evidence().indexOf(REFUSED_AGAIN);
                String evidence = (again < 0 ? b.evidence() : b.evidence().substring(0, again)) + REFUSED_AGAIN
                        + Instant.ofEpochMilli(hit);
                store.putBlock(b.extended(until, rule, evidence));
            }
        }
    }

    /** One rule in rule-file syntax; the block's target names it in errors. */
    static Rule parse(String text, String name) throws PolicyParseException {
        List<Rule> rules = RuleFileReader.parse("block " + name, text);
        if (rules.size() != 1) {
            throw new PolicyParseException(List.of(new ParseError("block " + name, 1, 1,
                    "a block holds exactly one rule, not " + rules.size())));
        }
        return rules.getFirst();
    }
}
