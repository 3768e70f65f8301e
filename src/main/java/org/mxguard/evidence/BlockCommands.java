package org.mxguard.evidence;

import com.google.common.net.InternetDomainName;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.mxguard.policy.Cidr;
import org.mxguard.policy.Condition;
import org.mxguard.policy.NamePattern;
import org.mxguard.policy.PolicyParseException;
import org.mxguard.policy.Rule;

/**
 * What the control verbs {@code block-list}, {@code block-add}, {@code block-remove},
 * {@code block-explain} and {@code block-import} do in the running server, in words for the
 * operator. Bad arguments are {@link IllegalArgumentException}s with a message that says what to type.
 */
public final class BlockCommands {

    private final EvidenceStore store;
    private final MxSkipRule rule;
    private final String host;
    private final Duration defaultExpiry;
    private final Clock clock;

    public BlockCommands(EvidenceStore store, MxSkipRule rule, String host, Duration defaultExpiry, Clock clock) {
        this.store = store;
        this.rule = rule;
        this.host = host;
        this.defaultExpiry = defaultExpiry;
        this.clock = clock;
    }

    public List<String> list() {
        Instant now = clock.instant();
        List<String> out = new ArrayList<>();
        out.add("# " + rule.counts());
        out.add("# store: " + store.describe());
        out.add("# target\torigin\texpires\thost\tevidence");
        store.blocks().stream().filter(b -> !b.expired(now)).sorted(Comparator.comparing(Block::created))
                .forEach(b -> out.add(b.summary()));
        return out;
    }

    /** {@code block-add TARGET [DURATION|never] [REASON...]}. */
    public List<String> add(List<String> args) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("usage: block add NETWORK|.SUBDOMAIN [DURATION|never] [REASON...]");
        }
        String target = target(args.getFirst());
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Instant until = now.plus(defaultExpiry);
        int reasonFrom = 1;
        if (args.size() > 1 && (args.get(1).equals("never") || args.get(1).matches("[0-9]+[smhdw]"))) {
            until = args.get(1).equals("never") ? null : now.plus(duration(args.get(1)));
            reasonFrom = 2;
        }
        String reason = args.size() > reasonFrom ? String.join(" ", args.subList(reasonFrom, args.size()))
                : "added by the postmaster";
        String text = "tempfail " + condition(target) + (until == null ? "" : " until " + until) + " because "
                + "\"" + reason.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        store.putBlock(new Block(target, Block.Origin.MANUAL, host, now, until, validated(text, target), reason));
        return List.of("blocked " + target + (until == null ? "" : " until " + until));
    }

    public List<String> remove(List<String> args) {
        if (args.size() != 1) {
            throw new IllegalArgumentException("usage: block remove NETWORK|.SUBDOMAIN");
        }
        String target = target(args.getFirst());
        if (!store.removeBlock(target)) {
            throw new IllegalArgumentException("no block on " + target + " (see mxguard block list)");
        }
        return List.of("removed the block on " + target);
    }

    /** {@code block-explain TARGET|ADDRESS}: a block's evidence, or everything known about one client. */
    public List<String> explain(List<String> args) {
        if (args.size() != 1) {
            throw new IllegalArgumentException("usage: block explain NETWORK|.SUBDOMAIN|ADDRESS");
        }
        String target = target(args.getFirst());
        List<String> out = new ArrayList<>();
        Instant now = clock.instant();
        Cidr asNetwork = Sources.isNetwork(target) ? Cidr.parse(target) : null;
        for (Block b : store.blocks()) {
            boolean relevant = b.target().equals(target) || (asNetwork != null && Sources.isNetwork(b.target())
                    && Cidr.parse(b.target()).contains(asNetwork));
            if (relevant) {
                out.add("block     " + b.target() + " (" + b.origin().word() + (b.expired(now) ? ", expired" : "")
                        + ") made by " + b.host() + " at " + b.created() + ", expires "
                        + (b.expires() == null ? "never" : b.expires()));
                out.add("rule      " + b.rule());
                out.add("evidence  " + b.evidence());
            }
        }
        if (asNetwork != null && asNetwork.length() == (asNetwork.v4() ? 32 : 128)) {
            InetAddress client = asNetwork.address();
            PrimaryContact c = store.lastContact(client);
            out.add("contact   " + (c == null ? "none kept" : c.at() + " at " + c.primary() + " via "
                    + c.source().name().toLowerCase(Locale.ROOT) + " (" + c.clientName() + ", helo "
                    + c.helo() + (c.nullSender() ? ", null sender" : "") + ")"));
            Instant credit = store.creditUntil(client);
            out.add("credit    " + (credit == null || !credit.isAfter(now) ? "none" : "until " + credit));
            for (String source : Sources.of(client, null)) {
                out.add(aggregateLine(source));
            }
        } else {
            out.add(aggregateLine(target));
        }
        return out;
    }

    private String aggregateLine(String source) {
        Aggregate a = store.aggregate(source);
        String coverage = store.covered(source) ? "; holds clients seen at a primary or with credit: never blocked automatically"
                : "";
        if (a == null) {
            return "source    " + source + ": nothing caught lately" + coverage;
        }
        return "source    " + source + ": " + a.clients().size() + " clients caught " + a.attempts() + " times from "
                + a.first() + " to " + a.last() + ", " + Math.round(a.nullSenderShare() * 100) + "% null sender"
                + coverage;
    }

    /** {@code block-import RULE...}: one rule of the analyzer's {@code --emit-rules} output. */
    public List<String> importRule(List<String> args) {
        String text = String.join(" ", args);
        Rule parsed;
        try {
            parsed = BlockRules.parse(text, "import");
        } catch (PolicyParseException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        String target = null;
        for (Condition c : parsed.conditions()) {
            if (c instanceof Condition.Client client && !client.negated() && client.networks().size() == 1) {
                target = client.networks().getFirst().toString();
            } else if (c instanceof Condition.ClientName name && !name.negated() && name.names().size() == 1) {
                target = name.names().getFirst().toString();
            }
        }
        if (target == null) {
            throw new IllegalArgumentException("a block names one client network or one client-name: " + text);
        }
        Instant now = clock.instant();
        store.putBlock(new Block(target, Block.Origin.IMPORTED, host, now, parsed.expires(), parsed.render(),
                parsed.reason() == null ? "imported" : parsed.reason()));
        return List.of("imported the block on " + target);
    }

    /** A network in canonical form, or a subdomain as ".sub.example". */
    static String target(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.matches("[0-9a-f:.]+(/[0-9]+)?") && (t.indexOf(':') >= 0 || t.matches("[0-9./]+"))) {
            try {
                return Cidr.parse(t).toString();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
        NamePattern p;
        try {
            p = NamePattern.parse(t.startsWith(".") ? t : "." + t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a network nor a domain: " + text, e);
        }
        // A block under a public suffix (.example.co.uk), never on one (.co.uk) nor on a bare word.
        if (p.name().indexOf('.') < 0 || publicSuffix(p.name())) {
            throw new IllegalArgumentException("not a network nor a domain below a public suffix: " + text);
        }
        return p.toString();
    }

    private static boolean publicSuffix(String name) {
        try {
            return InternetDomainName.from(name).isPublicSuffix();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String condition(String target) {
        return Sources.isNetwork(target) ? "client " + target : "client-name " + target;
    }

    private static String validated(String text, String target) {
        try {
            return BlockRules.parse(text, target).render();
        } catch (PolicyParseException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static Duration duration(String text) {
        long n = Long.parseLong(text.substring(0, text.length() - 1));
        return switch (text.charAt(text.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        };
    }
}
