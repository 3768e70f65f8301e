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
 * The indexed rule set must pick exactly the rule a plain top-to-bottom scan picks, for random rule
 * sets drawn from a small universe (so networks overlap and names nest) and random queries.
 */
class IndexedMatcherPropertyTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T22:00:00Z"), ZoneOffset.UTC);
    private static final List<String> NAMES = List.of("example", "a.example", "b.example", "x.a.example",
            "y.x.a.example", "x.b.example", "dialup.isp.example", "p1.dialup.isp.example", "unknown");
    private static final DnsblLookup FAKE_DNSBL = (zone, client) -> {
        int last = client.getAddress()[client.getAddress().length - 1] & 0xff;
        try {
            return switch ((last + zone.length()) % 4) {
                case 0 -> List.of(InetAddress.getByName("127.0.0.2"));
                case 1 -> List.of(InetAddress.getByName("127.0.0.10"));
                case 2 -> List.of(InetAddress.getByName("127.255.255.254"));
                default -> List.of();
            };
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    };

    @Property(tries = 300)
    void indexAgreesWithLinearScan(@ForAll("ruleSets") List<Rule> rules,
            @ForAll("queryLists") List<PolicyQuery> queries) {
        List<Rule> numbered = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            // Two files and uneven line numbers, as includes and comments make them.
            RuleRef ref = new RuleRef(i % 5 == 4 ? "q" : "p", 1 + 2 * i + i / 7);
            numbered.add(new Rule(ref, r.action(), r.reply(), r.actAt(), r.conditions(),
                    r.expires(), r.reason()));
        }
        RuleSet set = RuleSet.compile("p", numbered, PolicySettings.DEFAULTS);
        // The same rules with the direct block table that only large tables use by default.
        RuleSetBuilder withBlocks = new RuleSetBuilder(PolicySettings.DEFAULTS, new Ipv4PrefixTable(1));
        numbered.forEach(withBlocks::add);
        RuleSet blocked = withBlocks.build("p");
        LinearMatcher linear = new LinearMatcher(numbered, FAKE_DNSBL, CLOCK);
        RulesEngine engine = engineOf(set);
        RulesEngine blockedEngine = engineOf(blocked);
        for (PolicyQuery q : queries) {
            RuleMatch fast = set.find(new QueryView(q, FAKE_DNSBL), CLOCK.millis());
            RuleMatch fastBlocks = blocked.find(new QueryView(q, FAKE_DNSBL), CLOCK.millis());
            assertThat(fastBlocks == null ? "none" : fastBlocks.ref() + " " + fastBlocks.actsNow())
                    .as("with the direct table, query %s", q)
                    .isEqualTo(fast == null ? "none" : fast.ref() + " " + fast.actsNow());
            LinearMatcher.Found slow = linear.find(q);
            String fastText = fast == null ? "none" : fast.ref() + " " + fast.actsNow();
            String slowText = slow == null ? "none" : slow.rule().ref() + " " + slow.actsNow();
            assertThat(fastText).as("query %s", q).isEqualTo(slowText);
            // The decision too: the fast path takes a network rule's body from the index and its
            // file and line from the runs, not from the rule's record.
            String expected = slow == null || !slow.actsNow() ? "continue"
                    : expectedKind(slow.rule().action()) + " " + slow.rule().ref();
            assertThat(describe(engine.decide(q))).as("decision, query %s", q).isEqualTo(expected);
            assertThat(describe(blockedEngine.decide(q))).as("decision, direct table, query %s", q)
                    .isEqualTo(expected);
        }
    }

    private static RulesEngine engineOf(RuleSet set) {
        RuleSource source = new RuleSource() {
            @Override
            public String name() {
                return "p";
            }

            @Override
            public RuleSet current() {
                return set;
            }
        };
        return new RulesEngine(List.of(source), PolicySettings.DEFAULTS, FAKE_DNSBL, CLOCK);
    }

    private static String expectedKind(Action action) {
        return switch (action) {
            case ACCEPT -> "accept";
            case TEMPFAIL, WARN -> "tempfail";
            case REJECT -> "reject";
            case DISCONNECT -> "disconnect";
        };
    }

    private static String describe(Decision d) {
        return switch (d) {
            case Decision.Continue c -> "continue";
            case Decision.Accept a -> "accept " + a.rule();
            case Decision.Tempfail t -> "tempfail " + t.rule();
            case Decision.Reject r -> (r.warnOnly() ? "tempfail " : "reject ") + r.rule();
            case Decision.Disconnect x -> "disconnect " + x.rule();
        };
    }

    @Provide
    Arbitrary<List<Rule>> ruleSets() {
        return rule().list().ofMaxSize(60);
    }

    @Provide
    Arbitrary<List<PolicyQuery>> queryLists() {
        return queries().list().ofMaxSize(40);
    }

    private Arbitrary<PolicyQuery> queries() {
        Arbitrary<Stage> stage = Arbitraries.of(Stage.class);
        Arbitrary<InetAddress> address = Arbitraries.oneOf(v4Address(), v6Address());
        Arbitrary<String> name = Arbitraries.of(NAMES).map(n -> n.equals("example") ? "z.example" : n);
        Arbitrary<MailAddress> sender = Arbitraries.oneOf(Arbitraries.just(MailAddress.NULL_SENDER), mailbox());
        return Combinators.combine(stage, address, name, name, sender, mailbox())
                .as((st, a, n, h, s, r) -> new PolicyQuery(st, a, n,
                        st.compareTo(Stage.HELO) >= 0 ? h : null,
                        st.compareTo(Stage.MAIL) >= 0 ? s : null,
                        st == Stage.RCPT ? r : null));
    }

    private Arbitrary<MailAddress> mailbox() {
        return Combinators.combine(Arbitraries.of("user", "postmaster", "abuse"),
                Arbitraries.of(NAMES).filter(n -> !n.equals("unknown"))).as(MailAddress::of);
    }

    private Arbitrary<InetAddress> v4Address() {
        return Arbitraries.integers().between(0, 1023).map(i -> {
            try {
                return InetAddress.getByName("192.0." + (i >> 8) + "." + (i & 0xff));
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private Arbitrary<InetAddress> v6Address() {
        return Arbitraries.integers().between(0, 1023).map(i -> {
            try {
                return InetAddress.getByName("2001:db8:" + Integer.toHexString(i >> 6) + "::" + Integer.toHexString(i));
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private Arbitrary<Cidr> network() {
        Arbitrary<Cidr> v4 = Combinators.combine(v4Address(), Arbitraries.integers().between(16, 32))
                .as((a, len) -> Cidr.of(a).truncate(len));
        Arbitrary<Cidr> v6 = Combinators.combine(v6Address(), Arbitraries.integers().between(32, 128))
                .as((a, len) -> Cidr.of(a).truncate(len));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, v4), net.jqwik.api.Tuple.of(2, v6),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(Cidr.parse("0.0.0.0/0"), Cidr.parse("::/0"))));
    }

    private Arbitrary<NamePattern> namePattern() {
        return Combinators.combine(Arbitraries.of(NAMES), Arbitraries.of(true, false))
                .as((n, sub) -> new NamePattern(n, sub && !n.equals("unknown")));
    }

    private Arbitrary<AddressPattern> addressPattern(boolean sender) {
        Arbitrary<String> domain = Arbitraries.of(NAMES).filter(n -> !n.equals("unknown"));
        Arbitrary<AddressPattern> forms = Arbitraries.oneOf(
                domain.map(d -> new AddressPattern(AddressPattern.Kind.DOMAIN, null, d)),
                domain.map(d -> new AddressPattern(AddressPattern.Kind.SUBTREE, null, d)),
                domain.map(d -> new AddressPattern(AddressPattern.Kind.MAILBOX, "postmaster", d)),
                Arbitraries.just(new AddressPattern(AddressPattern.Kind.LOCAL_PART, "user", null)));
        return sender ? Arbitraries.oneOf(forms, Arbitraries.just(AddressPattern.NULL)) : forms;
    }

    private Arbitrary<Condition> condition() {
        Arbitrary<Boolean> neg = Arbitraries.integers().between(0, 3).map(i -> i == 0);
        return Arbitraries.oneOf(
                Combinators.combine(neg, network().list().ofMinSize(1).ofMaxSize(3)).as(Condition.Client::new),
                Combinators.combine(neg, network().list().ofMinSize(1).ofMaxSize(3)).as(Condition.Client::new),
                Combinators.combine(neg, namePattern().list().ofMinSize(1).ofMaxSize(2)).as(Condition.ClientName::new),
                Combinators.combine(neg, namePattern().list().ofMinSize(1).ofMaxSize(2)).as(Condition.Helo::new),
                Combinators.combine(neg, addressPattern(true).list().ofMinSize(1).ofMaxSize(2))
                        .as(Condition.Sender::new),
                Combinators.combine(neg, addressPattern(false).list().ofMinSize(1).ofMaxSize(2))
                        .as(Condition.Recipient::new),
                Combinators.combine(neg, Arbitraries.of("zen.example", "bl.example"),
                        Arbitraries.of(List.<Cidr>of(), List.of(Cidr.parse("127.0.0.10")))).as(Condition.Dnsbl::new),
                neg.map(Condition.Dynamic::new));
    }

    private Arbitrary<Rule> rule() {
        Arbitrary<List<Condition>> conditions = condition().list().ofMaxSize(3);
        Arbitrary<Action> action = Arbitraries.of(Action.class);
        Arbitrary<Stage> actAt = Arbitraries.of(Stage.class);
        Arbitrary<Instant> expires = Arbitraries.of(Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2027-01-01T00:00:00Z")).injectNull(0.7);
        return Combinators.combine(action, actAt, conditions, expires).as((a, st, cs, ex) -> {
            Rule probe = new Rule(new RuleRef("p", 0), a, null, Stage.RCPT, cs, ex, null);
            Stage at = probe.neededStage().compareTo(st) > 0 ? probe.neededStage() : st;
            return new Rule(new RuleRef("p", 0), a, null, at, cs, ex, null);
        });
    }
}
