package org.mxguard.policy;

import java.util.List;
import org.mxguard.mail.Reply;

/**
 * What a compiled rule does and tests. Rules whose only condition is the client network they are
 * indexed under ({@code implied}) need no test after the index hit and share one body per distinct
 * action, reply, stage, expiry and reason: a million {@code tempfail client N} rules share one.
 */
final class RuleBody {

    final Action action;
    final Reply reply;
    final Stage actAt;
    final Stage needed;
    final Condition[] conditions;
    final boolean implied;
    final long expiresMillis;
    final Reason reason;
    /** The conditions as written, for decisions without a {@code because}; null for implied rules. */
    final Reason description;

    RuleBody(Action action, Reply reply, Stage actAt, Stage needed, List<Condition> conditions, boolean implied,
            long expiresMillis, String reason) {
        this.action = action;
        this.reply = reply;
        this.actAt = actAt;
        this.needed = needed;
        this.conditions = conditions.toArray(new Condition[0]);
        this.implied = implied;
        this.expiresMillis = expiresMillis;
        this.reason = Reason.of(reason);
        this.description = implied ? null : Reason.conditions(this.conditions);
    }

    boolean matches(QueryView q) {
        for (Condition c : conditions) {
            if (!q.satisfies(c)) {
                return false;
            }
        }
        return true;
    }
}
