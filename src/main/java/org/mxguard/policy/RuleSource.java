package org.mxguard.policy;

/**
 * Somewhere rules come from: the rule file, and later automatic blocks (MX-skip detection) or
 * facts about a client's history. The engine asks its sources in order; each hands out its current
 * compiled set, which it replaces whole (one volatile reference), never edits.
 */
public interface RuleSource {

    /** For logs and {@code policy check}: "rules file /etc/mxguard/access.rules". */
    String name();

    /** The rules in force now. Cheap: called once per decision. */
    RuleSet current();
}
