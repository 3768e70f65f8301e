package org.mxguard.evidence;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.mxguard.mail.Domain;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.Reply;
import org.mxguard.maillog.MailLog;
import org.mxguard.policy.Cidr;
import org.mxguard.policy.Decision;
import org.mxguard.policy.PolicyEngine;
import org.mxguard.policy.PolicyQuery;
import org.mxguard.policy.RuleRef;
import org.mxguard.policy.RulesEngine;
import org.mxguard.policy.Stage;

/**
 * The MX-skip rule, asked at each RCPT for a protected domain after the rule file had no verdict;
 * it also asks the blocks, for the clients that have neither primary contact nor retry credit.
 * A client that comes to this backup MX while the domain's primary is up, has not been seen at any
 * primary within the window, and is neither allowed nor holding retry credit, gets the MX-skip reply
 * ({@code 451 4.7.1}): RFC 5321 §5.1 has a sender try the most preferred MX first, and a correct MTA
 * that was refused retries, at the primary or here. A client that comes back after the retry interval
 * with the same sender and recipient has a queue behind it: it earns retry credit and is accepted
 * even if it cannot reach the primary (a partition), so legitimate mail is delayed by one retry at
 * most and never lost. Credit exempts the client that earned it; it does not lift the blocks of its
 * network or subdomain, which go on refusing the others.
 *
 * <p>In observe mode the refusal is warn-only: the session logs {@code reject_warning} and goes on.
 * Each refusal carries its evidence in the reply (so the log line shows it); the passes that only
 * this rule's safety valves let through (primary down, credit earned) get a log line of their own.
 */
public final class MxSkipRule implements PolicyEngine {

    static final RuleRef REF = new RuleRef("mx-skip", 0);

    private final MxSkipSettings settings;
    private final EvidenceStore store;
    private final PrimaryHealth health;
    private final Function<Domain, String> primaryNames;
    private final BlockMaker blocks;
    private final RulesEngine blockRules;
    private final MailLog log;
    private final Clock clock;
    private final LongAdder checked = new LongAdder();
    private final LongAdder allowed = new LongAdder();
    private final LongAdder seen = new LongAdder();
    private final LongAdder credited = new LongAdder();
    private final LongAdder creditsGranted = new LongAdder();
    private final LongAdder primaryDown = new LongAdder();
    private final LongAdder degraded = new LongAdder();
    private final LongAdder loading = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder refusedByBlock = new LongAdder();

    /**
     * @param primaryNames the name of a domain's primary MX, for the reply
     * @param blocks told of every catch, or null for no automatic blocks
     * @param blockRules the blocks, asked for clients with neither contact nor credit
     */
    public MxSkipRule(MxSkipSettings settings, EvidenceStore store, PrimaryHealth health,
            Function<Domain, String> primaryNames, BlockMaker blocks, RulesEngine blockRules, MailLog log,
            Clock clock) {
        this.blockRules = blockRules;
        this.settings = settings;
        this.store = store;
        this.health = health;
        this.primaryNames = primaryNames;
        this.blocks = blocks;
        this.log = log;
        this.clock = clock;
    }

    /** What the rule found for one query: the verdict and the evidence behind it. */
    public sealed interface Verdict {
        /** Not asked: not RCPT, mode off. */
        record NotApplicable(String why) implements Verdict {
        }

        /** Let through, and why. */
        record Pass(String why) implements Verdict {
        }

        /** Refused (warn-only in observe mode). */
        record Refuse(Reply reply, String evidence) implements Verdict {
        }

        /** Refused by a block (automatic, manual or imported). */
        record Blocked(Decision decision) implements Verdict {
        }
    }

    @Override
    public Decision decide(PolicyQuery query) {
        Verdict verdict = judge(query, true);
        return switch (verdict) {
            case Verdict.Refuse r -> new Decision.Tempfail(r.reply(), REF, "mx-skip: " + r.evidence(),
                    settings.mode() == MxSkipSettings.Mode.OBSERVE);
            case Verdict.Blocked b -> b.decision();
            case Verdict.Pass p -> Decision.CONTINUE;
            case Verdict.NotApplicable n -> Decision.CONTINUE;
        };
    }

    /** The verdict without recording anything, for {@code policy check} and {@code block explain}. */
    public Verdict explain(PolicyQuery query) {
        return judge(query, false);
    }

    private Verdict judge(PolicyQuery q, boolean live) {
        if (settings.mode() == MxSkipSettings.Mode.OFF) {
            return new Verdict.NotApplicable("the MX-skip rule is off");
        }
        if (q.stage() != Stage.RCPT || q.recipient() == null || q.clientAddress() == null) {
            return new Verdict.NotApplicable("the MX-skip rule decides at RCPT");
        }
        if (live) {
            checked.increment();
        }
        InetAddress client = q.clientAddress();
        if (settings.allowed(Cidr.of(client))) {
            count(live, allowed);
            return new Verdict.Pass("client in an allowed network (mx-skip allow)");
        }
        Instant now = clock.instant();
        PrimaryContact contact = store.lastContact(client);
        if (contact != null && !contact.at().isBefore(now.minus(settings.window()))) {
            count(live, seen);
            return new Verdict.Pass("seen at a primary: " + describe(contact));
        }
        Instant credit = store.creditUntil(client);
        if (credit != null && credit.isAfter(now)) {
            count(live, credited);
            return new Verdict.Pass("retry credit until " + credit);
        }
        String contactText = contact == null ? "no primary contact" : "last primary contact " + describe(contact);
        // Retry credit comes before blocks: a real MTA in a blocked network retries, earns credit and
        // passes. The credit exempts that client only and lifts no block: spamware can repeat a sender
        // and recipient by chance, and one such repeat must not open its whole network (while the
        // primary is down nothing would block it again). The credit still covers the client's
        // sources, so no new block is made over it.
        String sender = senderText(q.sender());
        String recipient = q.recipient().address().toLowerCase(Locale.ROOT);
        Instant first = live ? store.attempt(client, sender, recipient, now) : now;
        Duration waited = Duration.between(first, now);
        if (live && settings.earnsCredit(waited)) {
            Instant until = now.plus(settings.creditLifetime());
            store.grantCredit(client, until);
            creditsGranted.increment();
            notice(q, "pass: retry credit earned, came back after " + seconds(waited) + " with the same sender and "
                    + "recipient; credit until " + until + "; " + contactText);
            return new Verdict.Pass("retry credit earned after " + seconds(waited));
        }
        // policy check asks without counting a hit: a hit extends the block.
        Decision blocked = live ? blockRules.decide(q) : blockRules.explain(q).decision();
        if (!(blocked instanceof Decision.Continue) && !(blocked instanceof Decision.Accept)) {
            count(live, refusedByBlock);
            return new Verdict.Blocked(blocked);
        }
        Domain domain = q.recipient().domain();
        if (!health.primaryUp(domain)) {
            if (live) {
                primaryDown.increment();
                notice(q, "pass: primary MX of " + domain.name() + " down; " + contactText);
            }
            return new Verdict.Pass("the primary MX of " + domain.name() + " is down (" + contactText + ")");
        }
        if (store.degraded()) {
            // The fleet's store is away: the contact may have been reported to another host. Absence
            // of evidence is no evidence, so pass, as with a primary down; blocks known here still act.
            if (live) {
                degraded.increment();
                notice(q, "pass: evidence store degraded, other hosts' contacts unknown; " + contactText);
            }
            return new Verdict.Pass("the evidence store is degraded: other hosts' contacts unknown (" + contactText + ")");
        }
        String evidence = contactText + ", primary up, no retry credit"
                + (live && waited.isPositive() ? ", first try " + seconds(waited) + " ago" : "");
        if (store.loading()) {
            // The store is still reading what it held before this start: the client's contact may be
            // among what is not read yet. Told and counted as in observe mode, never refused for it.
            if (live) {
                loading.increment();
                notice(q, "pass: evidence store loading, contact not known yet; would refuse: " + evidence);
            }
            return new Verdict.Pass("the evidence store is loading, the client's contact may not be read yet ("
                    + evidence + ")");
        }
        if (live) {
            refused.increment();
            store.caught(client, q.clientName(), q.sender() != null && q.sender().isNullSender(), now);
            if (blocks != null) {
                blocks.consider(client, q.clientName(), now);
            }
        }
        return new Verdict.Refuse(reply(domain, evidence), evidence);
    }

    private Reply reply(Domain domain, String evidence) {
        Reply template = settings.reply();
        String text = template.lines().getFirst().replace("{primary}", primaryNames.apply(domain))
                .replace("{evidence}", evidence);
        return new Reply(template.code(), template.status(), List.of(text));
    }

    private static String describe(PrimaryContact c) {
        return c.at() + " at " + (c.primary().isEmpty() ? "a primary" : c.primary()) + " via "
                + c.source().name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private static String senderText(MailAddress sender) {
        return sender == null || sender.isNullSender() ? "" : sender.address().toLowerCase(Locale.ROOT);
    }

    private static String seconds(Duration d) {
        return d.toSeconds() + "s";
    }

    private static void count(boolean live, LongAdder counter) {
        if (live) {
            counter.increment();
        }
    }

    /**
     * One line in the mail log, shaped like Postfix's smtpd lines so log readers skip it cleanly:
     * {@code NOQUEUE: mx-skip: RCPT from NAME[ADDR]: WHAT; from=<S> to=<R>}.
     */
    private void notice(PolicyQuery q, String what) {
        log.log("mx-skip", "NOQUEUE: mx-skip: RCPT from " + q.clientName() + "[" + q.clientAddress().getHostAddress()
                + "]: " + what + "; from=<" + senderText(q.sender()) + "> to=<" + q.recipient().address() + ">");
    }

    /**
     * The decisions since start by outcome, for metrics: "allowed_network", "seen_at_primary",
     * "retry_credit", "primary_down", "store_degraded" (passed for lack of the fleet's
     * contacts), "store_loading" (passed while the store reads its file: would have refused),
     * "blocked", "refused" (in observe mode: would have refused).
     */
    public Map<String, Long> outcomes() {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("allowed_network", allowed.sum());
        out.put("seen_at_primary", seen.sum());
        out.put("retry_credit", credited.sum());
        out.put("primary_down", primaryDown.sum());
        out.put("store_degraded", degraded.sum());
        out.put("store_loading", loading.sum());
        out.put("blocked", refusedByBlock.sum());
        out.put("refused", refused.sum());
        return out;
    }

    /** The counts since start: what the rule did, or in observe mode would have done. */
    public String counts() {
        return "mx-skip " + settings.mode().word() + ": checked " + checked.sum() + ", allowed network " + allowed.sum()
                + ", seen at a primary " + seen.sum() + ", with retry credit " + credited.sum() + ", credit earned "
                + creditsGranted.sum() + ", blocked " + refusedByBlock.sum() + ", primary down " + primaryDown.sum()
                + ", store degraded " + degraded.sum() + ", store loading " + loading.sum() + ", "
                + (settings.mode() == MxSkipSettings.Mode.OBSERVE ? "would refuse " : "refused ") + refused.sum();
    }
}
