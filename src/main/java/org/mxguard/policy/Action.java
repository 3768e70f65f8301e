package org.mxguard.policy;

import java.util.Locale;

/** What a rule does when it matches. Every action ends the evaluation: the first matching rule decides. */
public enum Action {
    /** Let the client through; later rules are not consulted. */
    ACCEPT,
    /** 4xx, by default {@code 451 4.7.1 Relaying Denied}: a correct client retries, at the primary MX. */
    TEMPFAIL,
    /** 5xx, by default {@code 550 5.7.1 Access denied}. */
    REJECT,
    /** Send the reply and close the connection: {@code 421 4.7.0}, or {@code 554 5.7.1} at connect. */
    DISCONNECT,
    /** Log what a tempfail would have said and let the client through (Postfix's WARN). */
    WARN;

    /** The keyword in rule files: "tempfail". */
    public String keyword() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True for the actions that refuse mail (and so fall under dry-run and the null-sender check). */
    public boolean refuses() {
        return this == TEMPFAIL || this == REJECT || this == DISCONNECT;
    }
}
