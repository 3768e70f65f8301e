package org.mxguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.Reply;

class RulesEngineTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T22:00:00Z"), ZoneOffset.UTC);
    private static final MailAddress BOUNCE = MailAddress.NULL_SENDER;
    private static final MailAddress ALICE = MailAddress.of("alice", "sender.example");
    private static final MailAddress USER = MailAddress.of("user", "protected.example");

    private static RulesEngine engine(String rules, PolicySettings settings, DnsblLookup dnsbl) throws Exception {
        RuleSet set = RuleSet.compile("access.rules", RuleFileReader.parse("access.rules", rules), settings);
        RuleSource source = new RuleSource() {
            @Override
            public String name() {
                return "test";
            }

            @Override
            public RuleSet current() {
                return set;
            }
        };
        return new RulesEngine(List.of(source), settings, dnsbl, CLOCK);
    }

    private static RulesEngine engine(String rules) throws Exception {
        return engine(rules, PolicySettings.DEFAULTS, DnsblLookup.NONE);
    }

    static PolicyQuery rcpt(String ip, String name, MailAddress from, MailAddress to) throws Exception {
        return new PolicyQuery(Stage.RCPT, InetAddress.getByName(ip), name, "client.example", from, to);
    }

    static PolicyQuery connect(String ip, String name) throws Exception {
        return new PolicyQuery(Stage.CONNECT, InetAddress.getByName(ip), name, null, null, null);
    }

    @Test
    void nullSenderFromDialupGets451RelayingDenied() throws Exception {
        RulesEngine e = engine("tempfail from <> client-name .dialup.isp.example\n");
        Decision d = e.decide(rcpt("198.51.100.7", "ppp7.dialup.isp.example", BOUNCE, USER));
        assertThat(d).isEqualTo(new Decision.Tempfail(Reply.of(451, "4.7.1", "Relaying Denied"),
                new RuleRef("access.rules", 1), "from <> client-name .dialup.isp.example", false));
        assertThat(e.decide(rcpt("198.51.100.7", "ppp7.dialup.isp.example", ALICE, USER)))
                .isEqualTo(Decision.CONTINUE);
        assertThat(e.decide(rcpt("198.51.100.7", "mail.isp.example", BOUNCE, USER))).isEqualTo(Decision.CONTINUE);
    }

    @Test
    void firstMatchWinsSoTheExceptionGoesFirst() throws Exception {
        RulesEngine e = engine("""
                accept client 192.0.2.53
                tempfail client 192.0.2.0/24
                """);
        assertThat(e.decide(rcpt("192.0.2.53", "unknown", ALICE, USER)))
                .isEqualTo(new Decision.Accept(new RuleRef("access.rules", 1)));
        assertThat(e.decide(rcpt("192.0.2.54", "unknown", ALICE, USER)))
                .isEqualTo(new Decision.Tempfail(PolicySettings.DEFAULT_TEMPFAIL, new RuleRef("access.rules", 2),
                        "client 192.0.2.0/24", false));
    }

    @Test
    void exceptionInsideOneRuleWithNot() throws Exception {
        RulesEngine e = engine("tempfail client 192.0.2.0/24 not client 192.0.2.53\n");
        assertThat(e.decide(rcpt("192.0.2.53", "unknown", ALICE, USER))).isEqualTo(Decision.CONTINUE);
        assertThat(e.decide(rcpt("192.0.2.1", "unknown", ALICE, USER))).isInstanceOf(Decision.Tempfail.class);
    }

    @Test
    void verdictsBiteAtRcptByDefault() throws Exception {
        RulesEngine e = engine("""
                tempfail client 192.0.2.0/24
                disconnect at connect client 192.0.2.0/24
                """);
        assertThat(e.decide(connect("192.0.2.9", "unknown"))).isEqualTo(Decision.CONTINUE);
        assertThat(e.decide(rcpt("192.0.2.9", "unknown", ALICE, USER))).isInstanceOf(Decision.Tempfail.class);
    }

    @Test
    void connectRuleDisconnectsWith554AtConnect() throws Exception {
        RulesEngine e = engine("disconnect at connect client 2001:db8:bad::/48\n");
        Decision d = e.decide(connect("2001:db8:bad::25", "unknown"));
        assertThat(d).isEqualTo(new Decision.Disconnect(Reply.of(554, "5.7.1", "Access denied"),
                new RuleRef("access.rules", 1), "client 2001:db8:bad::/48", false));
    }

    @Test
    void laterDataRuleDoesNotMatchYetSoAConnectRuleBelowItDecides() throws Exception {
        RulesEngine e = engine("""
                accept to postmaster@protected.example
                disconnect at connect client 192.0.2.0/24
                """);
        assertThat(e.decide(connect("192.0.2.9", "unknown"))).isInstanceOf(Decision.Disconnect.class);
    }

    @Test
    void nameRulesNeverMatchAnUnconfirmedName() throws Exception {
        RulesEngine e = engine("""
                tempfail from <> client-name .dialup.isp.example
                reject not client-name .trusted.example client 203.0.113.0/24
                tempfail client-name unknown to protected.example
                """);
        assertThat(e.decide(rcpt("203.0.113.5", "unknown", BOUNCE, USER)))
                .extracting(d -> ((Decision.Tempfail) d).rule().line()).isEqualTo(3);
        assertThat(e.decide(rcpt("203.0.113.5", "mx.other.example", ALICE, USER)))
                .isInstanceOf(Decision.Reject.class);
    }

    @Test
    void dnsblAnswersCountButErrorCodesDoNot() throws Exception {
        List<String> asked = new ArrayList<>();
        Map<String, String> answers = Map.of("192.0.2.10", "127.0.0.10", "192.0.2.11", "127.255.255.254",
                "192.0.2.12", "127.0.0.2");
        DnsblLookup fake = (zone, client) -> {
            asked.add(zone + " " + client.getHostAddress());
            String a = answers.get(client.getHostAddress());
            try {
                return a == null ? List.of() : List.of(InetAddress.getByName(a));
            } catch (java.net.UnknownHostException ex) {
                throw new IllegalStateException(ex);
            }
        };
        RulesEngine e = engine("""
                tempfail listed-in zen.example=127.0.0.10,127.0.0.11 from <>
                reject listed-in zen.example
                """, PolicySettings.DEFAULTS, fake);
        assertThat(e.decide(rcpt("192.0.2.10", "unknown", BOUNCE, USER))).isInstanceOf(Decision.Tempfail.class);
        assertThat(asked).containsExactly("zen.example 192.0.2.10");
        assertThat(e.decide(rcpt("192.0.2.11", "unknown", BOUNCE, USER))).isEqualTo(Decision.CONTINUE);
        assertThat(e.decide(rcpt("192.0.2.12", "unknown", BOUNCE, USER))).isInstanceOf(Decision.Reject.class);
    }

    @Test
    void dynamicUsesTheSharedClassifier() throws Exception {
        RulesEngine e = engine("tempfail dynamic from <>\n");
        assertThat(e.decide(rcpt("166.55.38.53", "usr13-dialup53.mix1.willowsprings.mci.net", BOUNCE, USER)))
                .isInstanceOf(Decision.Tempfail.class);
        assertThat(e.decide(rcpt("129.16.1.1", "chalmers.se", BOUNCE, USER))).isEqualTo(Decision.CONTINUE);
        RulesEngine negated = engine("tempfail not dynamic from <> client 166.55.0.0/16\n");
        assertThat(negated.decide(rcpt("166.55.38.53", "unknown", BOUNCE, USER)))
                .as("an unconfirmed name is not proof of a static host either").isEqualTo(Decision.CONTINUE);
        assertThat(negated.decide(rcpt("166.55.38.53", "mail.mci.net", BOUNCE, USER)))
                .isInstanceOf(Decision.Tempfail.class);
    }

    @Test
    void dryRunMakesEveryRefusalWarnOnly() throws Exception {
        RulesEngine e = engine("reject client 192.0.2.0/24\n", PolicySettings.DEFAULTS.withDryRun(true),
                DnsblLookup.NONE);
        assertThat(e.decide(rcpt("192.0.2.1", "unknown", ALICE, USER)))
                .isEqualTo(new Decision.Reject(PolicySettings.DEFAULT_REJECT, new RuleRef("access.rules", 1),
                        "client 192.0.2.0/24", true));
    }

    @Test
    void softBounceTurns5xxInto4xx() throws Exception {
        RulesEngine e = engine("reject with 554 5.7.1 \"go away\" client 192.0.2.0/24\n",
                PolicySettings.DEFAULTS.withSoftBounce(true), DnsblLookup.NONE);
        Decision.Reject d = (Decision.Reject) e.decide(rcpt("192.0.2.1", "unknown", ALICE, USER));
        assertThat(d.reply()).isEqualTo(Reply.of(454, "4.7.1", "go away"));
        assertThat(d.warnOnly()).isFalse();
    }

    @Test
    void warnRulesLogOnly() throws Exception {
        RulesEngine e = engine("warn client 192.0.2.0/24 because \"watching\"\n");
        assertThat(e.decide(rcpt("192.0.2.1", "unknown", ALICE, USER))).isEqualTo(new Decision.Tempfail(
                PolicySettings.DEFAULT_TEMPFAIL, new RuleRef("access.rules", 1), "watching", true));
    }

    @Test
    void warnWithA5xxTextIsAWouldBeReject() throws Exception {
        RulesEngine e = engine("warn with 550 5.7.1 \"would reject\" client 192.0.2.0/24\n");
        assertThat(e.decide(rcpt("192.0.2.1", "unknown", ALICE, USER))).isEqualTo(new Decision.Reject(
                Reply.of(550, "5.7.1", "would reject"), new RuleRef("access.rules", 1), "client 192.0.2.0/24", true));
    }

    @Test
    void expiredRulesStopMatching() throws Exception {
        RulesEngine e = engine("""
                tempfail client 192.0.2.0/24 until 2026-11-26T21:59:59Z
                reject client 192.0.2.0/24 until 2026-11-26
                """);
        assertThat(e.decide(rcpt("192.0.2.1", "unknown", ALICE, USER))).isInstanceOf(Decision.Reject.class);
    }

    @Test
    void countersRecordHitsPerRule() throws Exception {
        RuleSet set = RuleSet.compile("r", RuleFileReader.parse("r", """
                accept client 192.0.2.53
                tempfail client 192.0.2.0/24
                """), PolicySettings.DEFAULTS);
        MemoryRuleSource unused = new MemoryRuleSource("auto", PolicySettings.DEFAULTS);
        RuleSource src = new RuleSource() {
            @Override
            public String name() {
                return "r";
            }

            @Override
            public RuleSet current() {
                return set;
            }
        };
        RulesEngine e = new RulesEngine(List.of(src, unused), PolicySettings.DEFAULTS, DnsblLookup.NONE, CLOCK);
        e.decide(rcpt("192.0.2.1", "unknown", ALICE, USER));
        e.decide(rcpt("192.0.2.2", "unknown", ALICE, USER));
        e.decide(connect("192.0.2.2", "unknown"));
        assertThat(set.counters().hits(0)).isZero();
        assertThat(set.counters().hits(1)).isEqualTo(2);
        assertThat(set.counters().lastHitMillis(1)).isEqualTo(CLOCK.millis());
    }

    @Test
    void runtimeSourcesDecideOnlyWhatTheFileLeftOpen() throws Exception {
        MemoryRuleSource blocks = new MemoryRuleSource("mx-skip blocks", PolicySettings.DEFAULTS);
        RulesEngine e = engine("accept client 192.0.2.53\n");
        e.addSource(blocks);
        blocks.replace(RuleFileReader.parse("mx-skip", "tempfail client 192.0.2.0/24 from <>\n"));
        assertThat(e.decide(rcpt("192.0.2.53", "unknown", BOUNCE, USER))).isInstanceOf(Decision.Accept.class);
        assertThat(e.decide(rcpt("192.0.2.54", "unknown", BOUNCE, USER)))
                .extracting(d -> ((Decision.Tempfail) d).rule()).isEqualTo(new RuleRef("mx-skip", 1));
    }

    @Test
    void senderRecipientAndHeloConditions() throws Exception {
        RulesEngine e = engine("""
                accept to postmaster@protected.example
                reject helo .bad.example
                tempfail from .spam.example to protected.example
                reject from user@
                """);
        assertThat(e.decide(rcpt("192.0.2.1", "unknown", MailAddress.of("x", "a.spam.example"),
                MailAddress.of("PostMaster", "protected.example")))).isInstanceOf(Decision.Accept.class);
        assertThat(e.decide(rcpt("192.0.2.1", "unknown", MailAddress.of("x", "a.spam.example"), USER)))
                .isInstanceOf(Decision.Tempfail.class);
        assertThat(e.decide(new PolicyQuery(Stage.HELO, InetAddress.getByName("192.0.2.1"), "unknown",
                "x.BAD.example.", null, null))).isEqualTo(Decision.CONTINUE);
        assertThat(e.decide(rcpt("192.0.2.1", "unknown", MailAddress.of("user", "any.example"), USER)))
                .isInstanceOf(Decision.Reject.class);
    }
}
