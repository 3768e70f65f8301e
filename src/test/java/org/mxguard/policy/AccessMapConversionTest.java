package org.mxguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mxguard.mail.MailAddress;

class AccessMapConversionTest {

    private static Decision decide(List<String> ruleLines, String ip, String name, MailAddress from) throws Exception {
        List<Rule> rules = RuleFileReader.parse("imported", String.join("\n", ruleLines));
        RuleSet set = RuleSet.compile("imported", rules, PolicySettings.DEFAULTS);
        RuleSource src = new RuleSource() {
            @Override
            public String name() {
                return "imported";
            }

            @Override
            public RuleSet current() {
                return set;
            }
        };
        return new RulesEngine(List.of(src), PolicySettings.DEFAULTS, DnsblLookup.NONE, Clock.systemUTC())
                .decide(new PolicyQuery(Stage.RCPT, InetAddress.getByName(ip), name, "h.example", from,
                        MailAddress.of("user", "protected.example")));
    }

    @Test
    void sendmailAccessFileBecomesMostSpecificFirstRules() throws Exception {
        ConversionResult r = AccessMapImport.sendmail("access", List.of(
                "# chalmers.se, March 1998",
                "Connect:166.55.38\tERROR:4.7.1:451 Relaying Denied",
                "Connect:166.55.38.1\tOK",
                "Connect:dialup.isp.example\tERROR:\"451 Relaying Denied\"",
                "From:spammer@bad.example\tREJECT",
                "From:<>\tREJECT",
                "To:friend@protected.example\tRELAY",
                "Connect:IPv6:2001:db8::25\tTEMPFAIL",
                "Connect:192.0.2.9\tDISCARD",
                "GreetPause:localhost\t0"));
        assertThat(r.lines()).containsExactly(
                "tempfail with 451 \"Relaying Denied\" client-name dialup.isp.example,.dialup.isp.example"
                        + "  # access:4",
                "tempfail client 2001:db8::25  # access:8",
                "tempfail with 451 4.7.1 \"Relaying Denied\" client 166.55.38.0/24 not client 166.55.38.1  # access:2",
                "reject from spammer@bad.example  # access:5",
                "accept to friend@protected.example  # access:7");
        assertThat(r.untranslatable()).hasSize(3);
        assertThat(r.untranslatable().get(0)).startsWith("access:6: From:<>\tREJECT").contains("RFC 5321");
        assertThat(r.untranslatable().get(1)).startsWith("access:9:").contains("DISCARD");
        assertThat(r.untranslatable().get(2)).startsWith("access:10:");
        assertThat(r.notes()).singleElement().asString().startsWith("access:3: Connect:166.55.38.1\tOK")
                .contains("written as an exception to access:2");
        assertThat(decide(r.lines(), "166.55.38.1", "unknown", MailAddress.NULL_SENDER))
                .isEqualTo(Decision.CONTINUE);
        assertThat(decide(r.lines(), "166.55.38.2", "unknown", MailAddress.NULL_SENDER))
                .isInstanceOf(Decision.Tempfail.class);
    }

    /**
     * cf/README: OK accepts "even if other rules in the running ruleset would reject it": a
     * Connect: OK ends the connect check only, and the From: and To: checks still run.
     */
    @Test
    void aSendmailOkEndsOnlyItsOwnCheck() throws Exception {
        ConversionResult r = AccessMapImport.sendmail("access", List.of(
                "Connect:192.0.2.7\tOK",
                "From:spammer@bad.example\tREJECT",
                "Connect:198.51.100\tREJECT",
                "Connect:198.51.100.9\tOK",
                "Connect:mail.good.example\tOK",
                "Connect:10.1\tRELAY",
                "Connect:10.1.2.3\tOK",
                "From:spam.example\tREJECT",
                "From:news.spam.example\tOK",
                "From:boss@spam.example\tOK"));
        assertThat(r.lines()).containsExactly(
                "reject client 198.51.100.0/24 not client 198.51.100.9 client-name unknown  # access:3",
                "reject client 198.51.100.0/24 not client 198.51.100.9 not client-name mail.good.example,"
                        + ".mail.good.example  # access:3",
                "accept client 10.1.0.0/16 not client 10.1.2.3 client-name unknown  # access:6",
                "accept client 10.1.0.0/16 not client 10.1.2.3 not client-name mail.good.example,.mail.good.example"
                        + "  # access:6",
                "reject from spammer@bad.example  # access:2",
                "reject from spam.example,.spam.example not from news.spam.example,.news.spam.example,"
                        + "boss@spam.example  # access:8");
        MailAddress spammer = MailAddress.of("spammer", "bad.example");
        assertThat(decide(r.lines(), "192.0.2.7", "unknown", spammer)).as("the OK client still meets From:")
                .isInstanceOf(Decision.Reject.class);
        assertThat(decide(r.lines(), "192.0.2.7", "unknown", MailAddress.of("a", "ok.example")))
                .isEqualTo(Decision.CONTINUE);
        assertThat(decide(r.lines(), "198.51.100.9", "unknown", MailAddress.of("a", "ok.example")))
                .as("the OK inside a refused network").isEqualTo(Decision.CONTINUE);
        assertThat(decide(r.lines(), "198.51.100.8", "mail.good.example", MailAddress.of("a", "ok.example")))
                .as("names are looked up before addresses").isEqualTo(Decision.CONTINUE);
        assertThat(decide(r.lines(), "198.51.100.8", "unknown", MailAddress.of("a", "ok.example")))
                .isInstanceOf(Decision.Reject.class);
        assertThat(decide(r.lines(), "10.1.2.3", "unknown", spammer)).as("OK inside RELAY is no relay")
                .isInstanceOf(Decision.Reject.class);
        assertThat(decide(r.lines(), "10.1.2.4", "unknown", spammer)).isInstanceOf(Decision.Accept.class);
        assertThat(decide(r.lines(), "10.1.2.4", "mx.other.example", spammer)).isInstanceOf(Decision.Accept.class);
        assertThat(decide(r.lines(), "10.1.2.4", "mail.good.example", spammer)).isInstanceOf(Decision.Reject.class);
        assertThat(decide(r.lines(), "203.0.113.5", "unknown", MailAddress.of("x", "news.spam.example")))
                .isEqualTo(Decision.CONTINUE);
        assertThat(decide(r.lines(), "203.0.113.5", "unknown", MailAddress.of("boss", "spam.example")))
                .isEqualTo(Decision.CONTINUE);
        assertThat(decide(r.lines(), "203.0.113.5", "unknown", MailAddress.of("x", "spam.example")))
                .isInstanceOf(Decision.Reject.class);
        assertThat(r.notes()).anySatisfy(n -> assertThat(n).startsWith("access:1: Connect:192.0.2.7\tOK")
                .contains("no broader entry"));
    }

    @Test
    void postfixClientAccessTable() throws Exception {
        ConversionResult r = AccessMapImport.postfixAccess("client_access", List.of(
                "192.0.2 REJECT",
                "192.0.2.53 DUNNO",
                ".dialup.isp.example 451 4.7.1 Relaying Denied",
                "mail.example OK",
                "198.51.100.7 HOLD"), AccessMapImport.Kind.CLIENT);
        assertThat(r.lines()).containsExactly(
                "tempfail with 451 4.7.1 \"Relaying Denied\" client-name .dialup.isp.example  # client_access:3",
                "accept client-name mail.example,.mail.example  # client_access:4",
                "accept client 192.0.2.53  # client_access:2",
                "reject client 192.0.2.0/24  # client_access:1");
        assertThat(r.notes()).singleElement().asString().contains("DUNNO");
        assertThat(r.untranslatable()).singleElement().asString().startsWith("client_access:5:");
    }

    @Test
    void postfixSenderAccessTable() {
        ConversionResult r = AccessMapImport.postfixAccess("sender_access", List.of(
                "<> REJECT",
                "spam.example DEFER try later",
                "user@ok.example OK"), AccessMapImport.Kind.SENDER);
        assertThat(r.lines()).containsExactly("accept from user@ok.example  # sender_access:3",
                "tempfail with 450 \"try later\" from spam.example,.spam.example  # sender_access:2");
        assertThat(r.untranslatable()).singleElement().asString().contains("RFC 5321");
    }

    @Test
    void postfixCidrTableKeepsItsOrder() throws Exception {
        ConversionResult r = AccessMapImport.postfixCidr("clients.cidr", List.of(
                "192.0.2.53/32 OK",
                "192.0.2.0/24 REJECT go away",
                "!2001:db8::/32 550 5.7.1 not here",
                "if 10.0.0.0/8",
                "10.1.0.0/16 OK",
                "endif",
                "192.0.2.1/24 REJECT"));
        assertThat(r.lines()).containsExactly("accept client 192.0.2.53  # clients.cidr:1",
                "reject with 550 \"go away\" client 192.0.2.0/24  # clients.cidr:2");
        // Every client outside one IPv6 network, so every bounce of the rest of the Internet.
        assertThat(r.untranslatable().getFirst()).startsWith("clients.cidr:3: !2001:db8::/32")
                .contains("every null sender <>", "RFC 5321 §4.5.5");
        assertThat(r.untranslatable()).hasSize(5);
        assertThat(r.untranslatable().getLast()).contains("host bits set");
    }

    @Test
    void exportToPostfixCidrAndBack() throws Exception {
        List<Rule> rules = RuleFileReader.parse("access.rules", """
                accept client 192.0.2.53
                tempfail client 192.0.2.0/24,2001:db8::/32
                reject with 554 5.7.1 "No" client 198.51.100.7
                tempfail from <> client-name .dialup.isp.example
                disconnect at connect client 203.0.113.0/24
                """);
        ConversionResult out = AccessMapExport.postfixCidr(rules);
        assertThat(out.lines()).containsExactly("192.0.2.53/32\tOK", "192.0.2.0/24\t451 4.7.1 Relaying Denied",
                "2001:db8::/32\t451 4.7.1 Relaying Denied", "198.51.100.7/32\t554 5.7.1 No");
        assertThat(out.untranslatable()).hasSize(2);
        ConversionResult back = AccessMapImport.postfixCidr("exported", out.lines());
        assertThat(back.untranslatable()).isEmpty();
        assertThat(back.lines()).hasSize(4);
    }

    @Test
    void exportToSendmailReportsOrderItCannotKeep() throws Exception {
        List<Rule> rules = RuleFileReader.parse("access.rules", """
                tempfail client 192.0.2.0/24
                accept client 192.0.2.53
                tempfail client-name .dialup.isp.example
                reject client 198.51.100.0/25
                """);
        ConversionResult out = AccessMapExport.sendmail(rules);
        assertThat(out.lines()).containsExactly("Connect:192.0.2\tERROR:4.7.1:451 Relaying Denied",
                "Connect:192.0.2.53\tOK", "Connect:dialup.isp.example\tERROR:4.7.1:451 Relaying Denied");
        assertThat(out.untranslatable()).singleElement().asString().contains("whole octets");
        assertThat(out.notes()).anySatisfy(n -> assertThat(n).contains("access.rules:2: sendmail will let"));
    }
}
