package org.mxguard.evidence;

import org.mxguard.mail.Domain;

/**
 * Whether a protected domain's primary MX answers now. While no primary of a domain is reachable,
 * the MX-skip rule does not apply to it: taking the mail is what a backup MX is for.
 */
@FunctionalInterface
public interface PrimaryHealth {

    /** Every primary is taken to be up: the rule applies everywhere (tests, and no probe configured). */
    PrimaryHealth ALWAYS_UP = domain -> true;

    boolean primaryUp(Domain domain);
}
