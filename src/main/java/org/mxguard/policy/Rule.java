package org.mxguard.policy;

import java.time.Instant;
import java.util.List;
import org.mxguard.mail.Reply;

/**
 * One parsed rule line: an action, ANDed conditions, and options.
 *
 * @param ref where the rule was written
 * @param action what the rule does
 * @param reply the custom reply, or null for the configured default of the action
 * @param actAt the stage at which the verdict bites ({@link Stage#RCPT} unless {@code at} says otherwise)
 * @param conditions the tests, all of which must hold; empty only for {@code everything}
 * @param expires when the rule stops matching, or null for never
 * @param reason the {@code because} text, or null
 */
public record Rule(RuleRef ref, Action action, Reply reply, Stage actAt, List<Condition> conditions,
        Instant expires, String reason) {

    public Rule {
        conditions = List.copyOf(conditions);
    }

    /** The first stage at which every condition can be evaluated. */
    public Stage neededStage() {
        Stage s = Stage.CONNECT;
        for (Condition c : conditions) {
            if (c.knownAt().compareTo(s) > 0) {
                s = c.knownAt();
            }
        }
        return s;
    }

    /** The rule in rule-file syntax, so that parsing the result gives this rule back. */
    public String render() {
        StringBuilder out = new StringBuilder(action.keyword());
        if (reply != null) {
            out.append(" with ").append(reply.code());
            if (reply.status() != null) {
                out.append(' ').append(reply.status());
            }
            out.append(' ').append(quote(reply.lines().getFirst()));
        }
        if (actAt != Stage.RCPT) {
            out.append(" at ").append(actAt.name().toLowerCase(java.util.Locale.ROOT));
        }
        if (conditions.isEmpty()) {
            out.append(" everything");
        }
        for (Condition c : conditions) {
            out.append(' ').append(c.render());
        }
        if (expires != null) {
            out.append(" until ").append(expires);
        }
        if (reason != null) {
            out.append(" because ").append(quote(reason));
        }
        return out.toString();
    }

    static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
