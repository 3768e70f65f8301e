package org.mxguard.policy;

import java.util.List;

/**
 * Rules made at run time rather than read from a file: the seam for automatic blocks that come and
 * go. The producer replaces the whole list; sessions keep the set they started a decision with.
 */
public final class MemoryRuleSource implements RuleSource {

    private final String name;
    private final PolicySettings settings;
    private volatile RuleSet current;

    public MemoryRuleSource(String name, PolicySettings settings) {
        this.name = name;
        this.settings = settings;
        this.current = RuleSet.empty(name);
    }

    /** Compiles and swaps in a new list of rules (their {@link RuleRef}s name the producer). */
    public void replace(List<Rule> rules) {
        current = RuleSet.compile(name, rules, settings);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public RuleSet current() {
        return current;
    }
}
