package org.mxguard.policy;

import org.mxguard.mail.Reply;

/**
 * The policy's answer to one {@link PolicyQuery}.
 *
 * <p>{@code warnOnly} is set when the rule or the global dry-run switch says to log what would have
 * happened but let the client through: the session logs a {@code reject_warning} and continues.
 * The {@link Reason} is put into words only when read.
 */
public sealed interface Decision {

    /** No rule decided; the session goes on (Postfix's DUNNO). */
    record Continue() implements Decision {
    }

    /** A rule accepts the client for this transaction: later rules are not consulted. */
    record Accept(RuleRef rule) implements Decision {
    }

    /** 4xx: try later (the seed's {@code 451 Relaying Denied}). */
    record Tempfail(Reply reply, RuleRef rule, Reason reason, boolean warnOnly) implements Decision {
        public Tempfail(Reply reply, RuleRef rule, String reason, boolean warnOnly) {
            this(reply, rule, Reason.of(reason), warnOnly);
        }
    }

    /** 5xx: refused for good. */
    record Reject(Reply reply, RuleRef rule, Reason reason, boolean warnOnly) implements Decision {
        public Reject(Reply reply, RuleRef rule, String reason, boolean warnOnly) {
            this(reply, rule, Reason.of(reason), warnOnly);
        }
    }

    /** Send the reply and close the connection. */
    record Disconnect(Reply reply, RuleRef rule, Reason reason, boolean warnOnly) implements Decision {
        public Disconnect(Reply reply, RuleRef rule, String reason, boolean warnOnly) {
            this(reply, rule, Reason.of(reason), warnOnly);
        }
    }

    Decision CONTINUE = new Continue();
}
