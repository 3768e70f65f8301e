package org.mxguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.mxguard.mail.MailAddress;

/**
 * The null-sender guard against brute force: a generated rule is run through the real engine for a
 * bounce from every client and to every recipient of a universe that has a point in each region the
 * rule's networks, names and domains can tell apart. A rule that refuses the bounces of one whole
 * address family, to every recipient, must be refused by the guard (no hole); a rule the guard
 * refuses must be one of those, unless it leans on a negated condition (which the guard never takes
 * as narrowing the clients).
 */
class NullSenderGuardPropertyTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-06T06:00:00Z"), ZoneOffset.UTC);
    private static final List<String> PROTECTED = List.of("example.org", ".example.org");
    private static final PolicySettings SETTINGS = new PolicySettings(null, false, false,
            PolicySettings.DEFAULT_TEMPFAIL, PolicySettings.DEFAULT_REJECT, java.time.Duration.ofSeconds(5), PROTECTED);

    private static final List<String> NETWORKS = List.of("0.0.0.0/0", "0.0.0.0/1", "128.0.0.0/1", "192.0.2.0/24",
            "::/0", "::/1", "8000::/1", "2001:db8::/32");
    private static final List<List<String>> CLIENTS = List.of(
            List.of("0.0.0.1", "192.0.2.1", "255.255.255.254"),
            List.of("::2", "2001:db8::1", "ffff::1"));
    private static final List<String> NAMES = List.of("ppp1.dialup.example", "mail.other.example", "unknown");
    private static final List<String> DOMAIN_PATTERNS = List.of("example.org", ".example.org", ".org", "example.net",
            "sub.example.org", "user@example.org", "user@");
    private static final List<MailAddress> RECIPIENTS = List.of(MailAddress.of("user", "example.org"),
            MailAddress.of("other", "example.org"), MailAddress.of("x", "sub.example.org"),
            MailAddress.of("x", "deep.sub.example.org"));

    @Provide
    Arbitrary<Rule> rules() {
        Arbitrary<Action> action = Arbitraries.of(Action.class);
        Arbitrary<Condition> client = Combinators.combine(Arbitraries.of(false, false, true),
                Arbitraries.of(NETWORKS).list().ofMinSize(1).ofMaxSize(3).uniqueElements())
                .as((negated, nets) -> new Condition.Client(negated, nets.stream().map(Cidr::parse).toList()));
        Arbitrary<Condition> name = Arbitraries.of(true, false).map(negated -> new Condition.ClientName(negated,
                List.of(NamePattern.parse(".dialup.example"))));
        Arbitrary<Condition> from = Combinators.combine(Arbitraries.of(true, false),
                Arbitraries.of(List.of("<>"), List.of("alice@sender.example"), List.of("<>", "alice@sender.example")))
                .as((negated, senders) -> new Condition.Sender(negated,
                        senders.stream().map(AddressPattern::parse).toList()));
        Arbitrary<Condition> to = Combinators.combine(Arbitraries.of(true, false),
                Arbitraries.of(DOMAIN_PATTERNS).list().ofMinSize(1).ofMaxSize(3).uniqueElements())
                .as((negated, patterns) -> new Condition.Recipient(negated,
                        patterns.stream().map(AddressPattern::parse).toList()));
        Arbitrary<List<Condition>> conditions = Combinators.combine(
                client.injectNull(0.4), name.injectNull(0.7), from.injectNull(0.3), to.injectNull(0.5))
                .as((c, n, f, t) -> {
                    List<Condition> list = new ArrayList<>();
                    for (Condition each : new Condition[] {c, n, f, t}) {
                        if (each != null) {
                            list.add(each);
                        }
                    }
                    return list;
                });
        return Combinators.combine(action, conditions).as((a, cs) ->
                new Rule(new RuleRef("generated.rules", 1), a, null, Stage.RCPT, cs, null, null));
    }

    @Property(tries = 3000)
    void theGuardRefusesExactlyTheRulesThatRefuseEveryBounceOfAFamily(@ForAll("rules") Rule rule) throws Exception {
        String verdict = SETTINGS.nullSenderGuard().violation(rule);
        boolean refusesAFamily = refusesEveryBounceOfAFamily(rule);
        if (refusesAFamily) {
            assertThat(verdict).as(rule.render()).isNotNull().contains("RFC 5321 §4.5.5");
        }
        boolean leansOnNegation = rule.conditions().stream()
                .anyMatch(c -> c.negated() && !(c instanceof Condition.Sender));
        if (verdict != null && !leansOnNegation) {
            assertThat(refusesAFamily).as(rule.render() + " was refused: " + verdict).isTrue();
        }
    }

    private static boolean refusesEveryBounceOfAFamily(Rule rule) throws Exception {
        RuleSet set = RuleSet.compile("generated.rules", List.of(rule), SETTINGS);
        RuleSource source = new RuleSource() {
            @Override
            public String name() {
                return "generated";
            }

            @Override
            public RuleSet current() {
                return set;
            }
        };
        RulesEngine engine = new RulesEngine(List.of(source), SETTINGS, DnsblLookup.NONE, CLOCK);
        for (List<String> family : CLIENTS) {
            boolean everyOne = true;
            for (String address : family) {
                for (String name : NAMES) {
                    for (MailAddress recipient : RECIPIENTS) {
                        Decision d = engine.decide(new PolicyQuery(Stage.RCPT, InetAddress.getByName(address), name,
                                "client.example", MailAddress.NULL_SENDER, recipient));
                        everyOne &= switch (d) {
                            case Decision.Tempfail t -> !t.warnOnly();
                            case Decision.Reject r -> !r.warnOnly();
                            case Decision.Disconnect x -> !x.warnOnly();
                            default -> false;
                        };
                    }
                }
            }
            if (everyOne) {
                return true;
            }
        }
        return false;
    }
}
