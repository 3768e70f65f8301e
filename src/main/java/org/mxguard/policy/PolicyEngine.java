package org.mxguard.policy;

/**
 * Decides on one query. Implementations are thread-safe and never block on I/O for longer than
 * their configured DNS timeouts; the rule set behind them may be swapped at any time (reload,
 * automatic blocks), but one call sees one rule set.
 */
@FunctionalInterface
public interface PolicyEngine {

    /** A policy with no rules: every query continues. */
    PolicyEngine NONE = query -> Decision.CONTINUE;

    Decision decide(PolicyQuery query);
}
