package org.mxguard.evidence;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.mxguard.policy.Action;
import org.mxguard.policy.MemoryRuleSource;
import org.mxguard.policy.ParseError;
import org.mxguard.policy.PolicyParseException;
import org.mxguard.policy.Rule;
import org.mxguard.policy.RuleFileReader;
import org.mxguard.policy.RuleRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the policy engine's block rules equal to the store's blocks: each change of the blocks
 * compiles them into the {@link MemoryRuleSource} that the engine asks after the rule file, so a
 * block bites on the next query, with no reload, and an {@code accept} in the rule file still wins.
 * In observe mode the automatic blocks only warn; manual and imported ones always act.
 */
public final class BlockRules {

    private static final Logger LOG = LoggerFactory.getLogger(BlockRules.class);

    private final EvidenceStore store;
    private final MemoryRuleSource target;
    private final boolean automaticWarnOnly;
    private final Clock clock;

    public BlockRules(EvidenceStore store, MemoryRuleSource target, boolean automaticWarnOnly, Clock clock) {
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
        for (Block b : store.blocks()) {
            if (b.expired(now)) {
                continue;
            }
            Rule rule;
            try {
                rule = parse(b.rule(), b.target());
            } catch (PolicyParseException e) {
                LOG.error("block {} has a rule that no longer parses, skipped: {}", b.target(), e.getMessage());
                continue;
            }
            Action action = b.origin() == Block.Origin.AUTOMATIC && automaticWarnOnly && rule.action().refuses()
                    ? Action.WARN : rule.action();
            rules.add(new Rule(new RuleRef("block " + b.target(), 1), action, rule.reply(), rule.actAt(),
                    rule.conditions(), rule.expires(), rule.reason()));
        }
        target.replace(rules);
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
