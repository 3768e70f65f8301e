package org.mxguard.policyservice;

import org.mxguard.mail.Reply;
import org.mxguard.policy.Decision;

/**
 * The answer to one policy request, in the actions a Postfix operator expects from a policy
 * service (access(5) actions, as SMTPD_POLICY_README allows):
 *
 * <ul>
 * <li>no rule, or a rule that accepts: {@code DUNNO}. Never {@code OK}: an accept in mxguard's rules
 *     speaks for the backup; said to the primary before its {@code reject_unauth_destination} it would
 *     open a relay.</li>
 * <li>a tempfail: {@code DEFER_IF_PERMIT text}, as greylisting policy services answer: the primary
 *     replies with its {@code defer_code} (450, 4.7.1) unless its own restrictions reject the mail,
 *     whose permanent refusal then wins and tells the sender more.</li>
 * <li>a reject: {@code REJECT text} (the primary's {@code access_map_reject_code}, 554 by default, 5.7.1).</li>
 * <li>a disconnect: {@code 421 text}, which Postfix's smtpd answers and then hangs up.</li>
 * <li>any refusal in dry-run ({@code warnOnly}): {@code WARN text}, logged by the primary and
 *     otherwise ignored.</li>
 * </ul>
 *
 * @param text what follows {@code action=}
 * @param refuses whether the primary refuses the client with it
 */
record PostfixAction(String text, boolean refuses) {

    static final PostfixAction DUNNO = new PostfixAction("DUNNO", false);

    static PostfixAction of(Decision decision) {
        return switch (decision) {
            case Decision.Continue c -> DUNNO;
            case Decision.Accept a -> DUNNO;
            case Decision.Tempfail t -> t.warnOnly() ? warn(t.reply()) : refusal("DEFER_IF_PERMIT ", t.reply());
            case Decision.Reject r -> r.warnOnly() ? warn(r.reply()) : refusal("REJECT ", r.reply());
            case Decision.Disconnect d -> d.warnOnly() ? warn(d.reply()) : refusal("421 4.7.0 ", d.reply());
        };
    }

    private static PostfixAction warn(Reply reply) {
        return new PostfixAction("WARN " + text(reply), false);
    }

    private static PostfixAction refusal(String action, Reply reply) {
        return new PostfixAction(action + text(reply), true);
    }

    /**
     * The reply's first line without code and enhanced status (Postfix adds its own), on one line:
     * a newline in the answer would end it early.
     */
    private static String text(Reply reply) {
        return reply.lines().getFirst().replace('\n', ' ').replace('\r', ' ');
    }
}
