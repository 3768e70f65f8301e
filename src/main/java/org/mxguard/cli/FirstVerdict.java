package org.mxguard.cli;

import org.mxguard.policy.Decision;
import org.mxguard.policy.PolicyEngine;
import org.mxguard.policy.PolicyQuery;

/**
 * Two engines in order: the second is asked only when the first had no verdict. An accept from the
 * first (an {@code accept} rule in the rule file) therefore exempts a client from the second (the
 * MX-skip rule).
 */
record FirstVerdict(PolicyEngine first, PolicyEngine second) implements PolicyEngine {

    @Override
    public Decision decide(PolicyQuery query) {
        Decision d = first.decide(query);
        return d instanceof Decision.Continue ? second.decide(query) : d;
    }
}
