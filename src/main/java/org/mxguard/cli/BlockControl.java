package org.mxguard.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.mxguard.control.ControlResponse;
import org.mxguard.control.ControlServer;
import org.mxguard.evidence.MxSkip;
import org.mxguard.evidence.MxSkipRule;
import org.mxguard.mail.MailAddress;
import org.mxguard.policy.Cidr;
import org.mxguard.policy.Decision;
import org.mxguard.policy.PolicyQuery;
import org.mxguard.policy.RulesEngine;
import org.mxguard.policy.Stage;

/** The control verbs of the block commands and of {@code policy check} against the running server. */
final class BlockControl {

    private BlockControl() {
    }

    static void register(ControlServer control, MxSkip mxSkip, RulesEngine rules) {
        control.register("block-list", args -> ControlResponse.ok(mxSkip.commands().list()));
        control.register("block-add", args -> ControlResponse.ok(mxSkip.commands().add(args)));
        control.register("block-remove", args -> ControlResponse.ok(mxSkip.commands().remove(args)));
        control.register("block-explain", args -> ControlResponse.ok(mxSkip.commands().explain(args)));
        control.register("block-import", args -> ControlResponse.ok(mxSkip.commands().importRule(args)));
        control.register("policy-check", args -> ControlResponse.ok(check(args, mxSkip, rules)));
    }

    /** {@code policy-check client=IP [name=NAME] [helo=NAME] from=ADDR to=ADDR}: rules, blocks, then MX-skip. */
    static List<String> check(List<String> args, MxSkip mxSkip, RulesEngine rules) {
        MxSkipRule rule = mxSkip.rule();
        String client = null;
        String name = "unknown";
        String helo = null;
        MailAddress from = null;
        MailAddress to = null;
        for (String arg : args) {
            int eq = arg.indexOf('=');
            String key = eq < 0 ? arg : arg.substring(0, eq);
            String value = eq < 0 ? "" : arg.substring(eq + 1);
            switch (key) {
                case "client" -> client = value;
                case "name" -> name = value.toLowerCase(Locale.ROOT);
                case "helo" -> helo = value;
                case "from" -> from = PolicyCheckCommand.address(value, "from");
                case "to" -> to = PolicyCheckCommand.address(value, "to");
                default -> throw new IllegalArgumentException("unknown policy-check argument: " + arg);
            }
        }
        if (client == null || to == null) {
            throw new IllegalArgumentException("policy check against the server needs --client and --to");
        }
        PolicyQuery q = new PolicyQuery(Stage.RCPT, Cidr.parse(client).address(), name, helo,
                from == null ? MailAddress.NULL_SENDER : from, to);
        List<String> out = new ArrayList<>();
        out.add("query     stage RCPT, client " + client + " (" + name + "), from " + q.sender() + ", to " + to);
        RulesEngine.Explained e = rules.explain(q);
        if (e.match() != null) {
            out.add("rule      " + e.match().ref() + " (" + e.source() + ")");
            out.add("decision  " + words(e.decision()));
            out.add("mx-skip   not asked: a rule decided first");
            return out;
        }
        out.add("rules     no rule in the rule file matches");
        RulesEngine.Explained b = mxSkip.blocks().explain(q);
        out.add("blocks    " + (b.match() == null ? "no block matches"
                : b.match().ref() + ": " + words(b.decision()) + " (only for clients with neither primary contact nor retry credit)"));
        switch (rule.explain(q)) {
            case MxSkipRule.Verdict.NotApplicable n -> out.add("mx-skip   " + n.why());
            case MxSkipRule.Verdict.Pass p -> out.add("mx-skip   pass: " + p.why());
            case MxSkipRule.Verdict.Blocked x -> out.add("mx-skip   blocked: " + words(x.decision()));
            case MxSkipRule.Verdict.Refuse r -> {
                out.add("mx-skip   refuse: " + r.evidence());
                out.add("reply     " + r.reply());
            }
        }
        out.add("counts    " + rule.counts());
        return out;
    }

    private static String words(Decision d) {
        return switch (d) {
            case Decision.Accept a -> "accept";
            case Decision.Continue c -> "continue";
            case Decision.Tempfail t -> (t.warnOnly() ? "warn: " : "tempfail: ") + t.reply() + " (" + t.reason() + ")";
            case Decision.Reject r -> (r.warnOnly() ? "warn: " : "reject: ") + r.reply() + " (" + r.reason() + ")";
            case Decision.Disconnect x -> "disconnect: " + x.reply() + " (" + x.reason() + ")";
        };
    }
}
