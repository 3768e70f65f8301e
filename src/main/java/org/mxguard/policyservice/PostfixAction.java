package org.mxguard.policyservice;

import org.mxguard.mail.Reply;
import org.mxguard.policy.Decision;

/**
 * Puts a policy decision into the action a Postfix operator expects from a policy service
 * (access(5) actions, as SMTPD_POLICY_README allows):
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
 * <li>any refusal in dry-run ({@code warnOnly}): {@code WARN text}, logged by the primary as a
 *     {@code reject_warning}-like line and otherwise ignored.</li>
 * </ul>
 */
final class PostfixAction {

    static final String DUNNO = "DUNNO";

    private PostfixAction() {
    }

    static String of(Decision decision) {
        return switch (decision) {
            case Decision.Continue c -> DUNNO;
            case Decision.Accept a -> DUNNO;
            case Decision.Tempfail t -> t.warnOnly() ? warn(t.reply()) : "DEFER_IF_PERMIT " + text(t.reply());
            case Decision.Reject r -> r.warnOnly() ? warn(r.reply()) : "REJECT " + text(r.reply());
            case Decision.Disconnect d -> d.warnOnly() ? warn(d.reply()) : "421 4.7.0 " + text(d.reply());
        };
    }

    private static String warn(Reply reply) {
        return "WARN " + text(reply);
    }

    /**
     * The reply's first line without code and enhanced status (Postfix adds its own), on one line:
     * a newline in the answer would end it early.
     */
    private static String text(Reply reply) {
        return reply.lines().getFirst().replace('\n', ' ').replace('\r', ' ');
    }
}
