package org.mxguard.cli;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mxguard.mail.MailAddress;
import org.mxguard.policy.Cidr;
import org.mxguard.policy.Decision;
import org.mxguard.policy.DnsblLookup;
import org.mxguard.policy.PolicyParseException;
import org.mxguard.policy.PolicyQuery;
import org.mxguard.policy.PolicySettings;
import org.mxguard.policy.Reason;
import org.mxguard.policy.Rule;
import org.mxguard.policy.RuleFileReader;
import org.mxguard.policy.RulesEngine;
import org.mxguard.policy.Stage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mxguard policy check}: which rule decides a given connection, and why, as
 * {@code sendmail -bt} or {@code postmap -q} answer for their tables. Uses the same indexed engine
 * as the server, and cross-checks it against a plain top-to-bottom scan.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Print the decision, the SMTP reply and the rule (file:line) that decides a query.")
final class PolicyCheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--rules", paramLabel = "FILE", description = "The rule file.")
    Path rules;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Ask the running server of this configuration instead (rule file, blocks, MX-skip rule).")
    Path config;

    @Option(names = "--socket", paramLabel = "PATH", description = "Ask the running server on this control socket.")
    Path socket;

    @Option(names = "--client", required = true, paramLabel = "IP", description = "The client's address.")
    String client;

    @Option(names = "--client-name", paramLabel = "NAME", defaultValue = "unknown",
            description = "The forward-confirmed reverse name (default: ${DEFAULT-VALUE}).")
    String clientName;

    @Option(names = "--helo", paramLabel = "NAME", description = "The HELO/EHLO argument.")
    String helo;

    @Option(names = "--from", paramLabel = "ADDRESS", description = "The sender; '<>' for the null sender.")
    String from;

    @Option(names = "--to", paramLabel = "ADDRESS", description = "The recipient.")
    String to;

    @Option(names = "--stage", paramLabel = "STAGE",
            description = "connect, helo, mail or rcpt (default: the last stage the given data reaches).")
    String stage;

    @Option(names = "--listed", paramLabel = "ZONE=ANSWER",
            description = "Pretend the client is listed in a DNSBL zone with that answer (repeatable).")
    List<String> listed = new ArrayList<>();

    @Option(names = "--dry-run", description = "Apply the dry-run switch (refusals become warnings).")
    boolean dryRun;

    @Option(names = "--soft-bounce", description = "Apply the soft-bounce switch (5xx becomes 4xx).")
    boolean softBounce;

    @Option(names = "--trace", description = "List every rule checked before the deciding one.")
    boolean trace;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (rules == null) {
            return askServer(out, err);
        }
        PolicyQuery query;
        DnsblLookup dnsbl;
        try {
            query = query();
            dnsbl = fakeDnsbl();
        } catch (IllegalArgumentException e) {
            err.println("mxguard policy check: " + e.getMessage());
            return 64;
        }
        List<Rule> parsed;
        try {
            parsed = RuleFileReader.read(rules);
        } catch (PolicyParseException e) {
            err.println(e.getMessage());
            return 2;
        }
        PolicySettings settings = PolicySettings.DEFAULTS.withRulesFile(rules).withDryRun(dryRun)
                .withSoftBounce(softBounce);
        RulesEngine.Checked checked = RulesEngine.check(rules.toString(), parsed, settings, dnsbl, Clock.systemUTC(),
                query);
        RulesEngine.Explained explained = checked.explained();

        out.println("query     stage " + query.stage() + ", client " + client + " (" + clientName + ")"
                + (helo == null ? "" : ", helo " + helo) + (query.sender() == null ? "" : ", from " + query.sender())
                + (query.recipient() == null ? "" : ", to " + query.recipient()));
        out.println("order     first match wins: rules are checked top to bottom, " + parsed.size() + " rules");
        if (trace) {
            for (String line : checked.trace()) {
                out.println("  " + line);
            }
        }
        Decision d = explained.decision();
        if (explained.match() == null) {
            out.println("decision  continue (no rule matches)");
        } else {
            Rule rule = checked.rule();
            out.println("rule      " + rule.ref() + ": " + rule.render());
            if (!explained.match().actsNow()) {
                out.println("decision  continue for now: the rule matches but acts at " + explained.actsAt()
                        + "; no later rule may decide before it");
            } else {
                printDecision(out, d);
            }
        }
        if (!checked.agrees()) {
            err.println("mxguard policy check: internal error: the index chose "
                    + (checked.rule() == null ? null : checked.rule().ref()) + " but a linear scan chose "
                    + (checked.linearRule() == null ? null : checked.linearRule().ref()));
            return 70;
        }
        return 0;
    }

    /** The live decision, with automatic blocks and the MX-skip rule's evidence. */
    private int askServer(PrintWriter out, PrintWriter err) {
        if (config == null && socket == null) {
            err.println("mxguard policy check: give --rules FILE, or --config/--socket to ask the running server");
            return 64;
        }
        List<String> words = new ArrayList<>(List.of("policy-check", "client=" + client, "name=" + clientName));
        if (helo != null) {
            words.add("helo=" + helo);
        }
        if (from != null) {
            words.add("from=" + from);
        }
        if (to != null) {
            words.add("to=" + to);
        }
        try {
            Path path = socket != null ? socket : org.mxguard.config.ConfigLoader.load(config).controlSocket();
            org.mxguard.control.ControlResponse r = org.mxguard.control.ControlClient.send(path, words);
            if (!r.ok()) {
                err.println("mxguard: " + r.error());
                return 1;
            }
            r.lines().forEach(out::println);
            out.flush();
            return 0;
        } catch (org.mxguard.config.ConfigException e) {
            e.problems().forEach(err::println);
            return 1;
        } catch (java.io.IOException e) {
            err.println("mxguard: " + e.getMessage());
            return 1;
        }
    }

    private static void printDecision(PrintWriter out, Decision d) {
        switch (d) {
            case Decision.Accept a -> out.println("decision  accept (later rules are not consulted)");
            case Decision.Tempfail t -> refusal(out, "tempfail", t.reply().toString(), t.reason(), t.warnOnly());
            case Decision.Reject r -> refusal(out, "reject", r.reply().toString(), r.reason(), r.warnOnly());
            case Decision.Disconnect x -> refusal(out, "disconnect", x.reply().toString(), x.reason(), x.warnOnly());
            case Decision.Continue c -> out.println("decision  continue");
        }
    }

    private static void refusal(PrintWriter out, String action, String reply, Reason reason, boolean warnOnly) {
        out.println("decision  " + action + (warnOnly ? " (warn only: logged, the client is let through)" : ""));
        out.println("reply     " + reply);
        out.println("reason    " + reason);
    }

    private PolicyQuery query() {
        InetAddress address;
        try {
            address = Cidr.parse(client).address();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--client: " + e.getMessage(), e);
        }
        MailAddress sender = from == null ? null : address(from, "--from");
        MailAddress recipient = to == null ? null : address(to, "--to");
        Stage s;
        if (stage != null) {
            try {
                s = Stage.valueOf(stage.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--stage takes connect, helo, mail or rcpt: " + stage, e);
            }
        } else {
            s = recipient != null ? Stage.RCPT : sender != null ? Stage.MAIL : helo != null ? Stage.HELO
                    : Stage.CONNECT;
        }
        return new PolicyQuery(s, address, clientName.toLowerCase(Locale.ROOT), helo, sender, recipient);
    }

    static MailAddress address(String text, String option) {
        String s = text.strip();
        if (s.startsWith("<") && s.endsWith(">")) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.isEmpty()) {
            return MailAddress.NULL_SENDER;
        }
        int at = s.lastIndexOf('@');
        if (at <= 0 || at == s.length() - 1) {
            throw new IllegalArgumentException(option + " takes user@domain or '<>': " + text);
        }
        try {
            return MailAddress.of(s.substring(0, at), s.substring(at + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
    }

    private DnsblLookup fakeDnsbl() {
        Map<String, List<InetAddress>> answers = new HashMap<>();
        for (String l : listed) {
            int eq = l.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--listed takes ZONE=ANSWER, e.g. zen.spamhaus.org=127.0.0.10");
            }
            Cidr answer = Cidr.parse(l.substring(eq + 1));
            answers.computeIfAbsent(l.substring(0, eq).toLowerCase(Locale.ROOT), z -> new ArrayList<>())
                    .add(answer.address());
        }
        return (zone, address) -> answers.getOrDefault(zone, List.of());
    }
}
