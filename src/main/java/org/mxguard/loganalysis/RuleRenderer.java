package org.mxguard.loganalysis;

import java.time.LocalDate;
import java.util.List;
import org.mxguard.policy.AccessMapExport;
import org.mxguard.policy.ConversionResult;
import org.mxguard.policy.PolicyParseException;
import org.mxguard.policy.Rule;
import org.mxguard.policy.RuleFileReader;

/**
 * Writes proposals as rules ready to load: mxguard's own rule file, a sendmail access map, or a
 * Postfix {@code cidr:} table. Each rule follows a comment with its evidence and its expiry.
 *
 * <p>The analyzer only builds rules; the sendmail and Postfix syntax is written by the policy
 * package's {@link AccessMapExport}, the one writer of those tables, so a proposal exported here
 * and a rule exported by {@code mxguard policy export} read the same.
 */
public final class RuleRenderer {

    /** The rule languages. */
    public enum Format {
        MXGUARD, SENDMAIL, POSTFIX_CIDR
    }

    // The seed's reply: a correct MTA retries later (and reaches the primary); EMS never does.
    private static final String REPLY = "with 451 4.7.1 \"Relaying Denied\"";

    private RuleRenderer() {
    }

    public static String render(Format format, List<Proposal> proposals, LocalDate expires) {
        StringBuilder b = new StringBuilder();
        b.append(switch (format) {
            case MXGUARD -> "# mxguard rules proposed by `mxguard analyze`: refuse null-sender relaying from\n"
                    + "# these sources until the expiry date. Review before loading.\n";
            case SENDMAIL -> "# sendmail access map proposed by `mxguard analyze` (makemap hash access < FILE).\n"
                    + "# Connect: refuses every sender from the source, not only <>. Remove expired lines.\n";
            case POSTFIX_CIDR -> "# Postfix check_client_access cidr: table proposed by `mxguard analyze`.\n"
                    + "# It refuses every sender from the source, not only <>. Remove expired lines.\n";
        });
        for (Proposal p : proposals) {
            String comment = "# score " + p.score().value() + ": " + p.evidence() + "; expires " + expires + "\n";
            String rule = switch (format) {
                case MXGUARD -> mxguard(p, expires);
                case SENDMAIL -> table(p, true);
                case POSTFIX_CIDR -> p.kind() == Proposal.Kind.NAME
                        ? "# " + p.target().substring(1) + " is a name: put it in a hash: check_client_access table"
                        : table(p, false);
            };
            b.append(comment).append(rule).append('\n');
        }
        return b.toString();
    }

    private static String mxguard(Proposal p, LocalDate expires) {
        String match = p.kind() == Proposal.Kind.NAME ? "client-name " + p.target() : "client " + p.target();
        String reason = "null-sender mail via backup MX from dial-up style source, score " + p.score().value();
        return "tempfail from <> " + match + " until " + expires + " because \"" + reason.replace("\"", "'") + "\"";
    }

    /**
     * The rule a peer MTA's access table can hold for a proposal: one client condition (tables
     * test one key, so it refuses every sender), no expiry (the comment carries it). A name stands
     * for itself and the names below it, as a sendmail or Postfix domain key does.
     */
    static Rule accessRule(Proposal p) throws PolicyParseException {
        String condition = switch (p.kind()) {
            case NAME -> "client-name " + p.target().substring(1) + "," + p.target();
            case ADDRESS, NETWORK -> "client " + p.target();
        };
        return RuleFileReader.parse("proposal", "tempfail " + REPLY + " " + condition).getFirst();
    }

    private static String table(Proposal p, boolean sendmail) {
        String kind = sendmail ? "sendmail" : "cidr:";
        String why;
        try {
            List<Rule> rule = List.of(accessRule(p));
            ConversionResult exported = sendmail ? AccessMapExport.sendmail(rule) : AccessMapExport.postfixCidr(rule);
            if (!exported.lines().isEmpty()) {
                return String.join("\n", exported.lines());
            }
            why = exported.untranslatable().isEmpty() ? "" : exported.untranslatable().getFirst();
            int open = why.lastIndexOf("  (");
            why = open < 0 ? why : why.substring(open + 3, why.length() - 1);
        } catch (PolicyParseException e) {
            why = e.errors().getFirst().message();
        }
        return "# (no " + kind + " form for " + p.target() + (why.isEmpty() ? "" : ": " + why) + ")";
    }
}
