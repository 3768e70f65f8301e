package org.mxguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mxguard.mail.Reply;

class RuleParserTest {

    private static List<Rule> parse(String text) throws PolicyParseException {
        return RuleFileReader.parse("access.rules", text);
    }

    private static String errorsOf(String text) {
        try {
            parse(text);
        } catch (PolicyParseException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected errors in: " + text);
    }

    @Test
    void seedRulesReadOutLoud() throws Exception {
        List<Rule> rules = parse("""
                # the 1998 chalmers.se rules
                tempfail from <> client-name .dialup.isp.example
                accept client 192.0.2.53
                tempfail client 192.0.2.0/24,2001:db8::/32 because "EMS/RFMS source"
                """);
        assertThat(rules).hasSize(3);
        Rule first = rules.getFirst();
        assertThat(first.ref()).isEqualTo(new RuleRef("access.rules", 2));
        assertThat(first.action()).isEqualTo(Action.TEMPFAIL);
        assertThat(first.actAt()).isEqualTo(Stage.RCPT);
        assertThat(first.conditions()).containsExactly(
                new Condition.Sender(false, List.of(AddressPattern.NULL)),
                new Condition.ClientName(false, List.of(new NamePattern("dialup.isp.example", true))));
        assertThat(first.neededStage()).isEqualTo(Stage.MAIL);
        assertThat(rules.get(2).reason()).isEqualTo("EMS/RFMS source");
        assertThat(rules.get(2).conditions().getFirst()).isEqualTo(new Condition.Client(false,
                List.of(Cidr.parse("192.0.2.0/24"), Cidr.parse("2001:db8::/32"))));
    }

    @Test
    void renderedRulesParseBackToTheSameRule() throws Exception {
        String text = """
                reject with 554 5.7.1 "No \\"spam\\" here" at connect not client 198.51.100.0/24 listed-in zen.spamhaus.org=127.0.0.2,127.0.0.10/31
                disconnect at connect dynamic client-name unknown,.cable.example until 2026-12-31
                warn helo .example,localhost from user@,a@b.example,.c.example to postmaster@d.example
                warn everything until 2026-12-01T10:00:00Z because "maintenance"
                """;
        List<Rule> rules = parse(text);
        for (Rule r : rules) {
            Rule again = parse(r.render()).getFirst();
            assertThat(again).isEqualTo(new Rule(new RuleRef("access.rules", 1), r.action(), r.reply(), r.actAt(),
                    r.conditions(), r.expires(), r.reason()));
        }
        assertThat(rules.get(1).expires()).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(rules.getFirst().reply()).isEqualTo(new Reply(554,
                org.mxguard.mail.EnhancedStatus.parse("5.7.1"), List.of("No \"spam\" here")));
    }

    @Test
    void errorsNameFileLineAndColumn() {
        String errors = errorsOf("""
                accept client 192.0.2.53
                tempfail clinet 192.0.2.0/24
                tempfail client 192.0.2.1/24
                """);
        assertThat(errors).contains("access.rules:2:10: expected a condition");
        assertThat(errors).contains("access.rules:3:17: host bits set in 192.0.2.1/24; the network is 192.0.2.0/24");
    }

    @Test
    void secondValueErrorPointsAtThatValue() {
        assertThat(errorsOf("reject client 192.0.2.0/24,300.1.2.3"))
                .isEqualTo("access.rules:1:28: not an IP address or network: 300.1.2.3");
    }

    @Test
    void codeAndEnhancedStatusMustAgree() {
        assertThat(errorsOf("tempfail with 451 5.7.1 \"x\" client 192.0.2.1"))
                .contains("1:19: enhanced status 5.7.1 does not agree with reply code 451");
        assertThat(errorsOf("tempfail with 550 client 192.0.2.1")).contains("'tempfail' takes a 4xx code, not 550");
        assertThat(errorsOf("reject with 451 client 192.0.2.1")).contains("'reject' takes a 5xx code");
        assertThat(errorsOf("disconnect with 554 client 192.0.2.1")).contains("554 with 'at connect'");
        assertThat(errorsOf("accept with 250 client 192.0.2.1")).contains("'accept' sends no reply");
    }

    @Test
    void connectRulesOnlyUseWhatIsKnownAtConnect() {
        assertThat(errorsOf("disconnect at connect client 192.0.2.0/24 from <>"))
                .contains("1:12: 'at connect' cannot use 'from': known only at MAIL");
    }

    @Test
    void refusingEveryNullSenderIsRefusedCitingTheRfc() {
        assertThat(errorsOf("tempfail from <>"))
                .contains("access.rules:1:1: this rule would tempfail every null sender <>: RFC 5321 §4.5.5 and §6.1");
        assertThat(errorsOf("reject not from user@example.org")).contains("every null sender");
        assertThat(errorsOf("reject from <>,user@example.org")).contains("every null sender");
    }

    @Test
    void aRuleThatRefusesEveryBounceIsRefusedWhateverItsConditionsSay() {
        assertThat(errorsOf("reject everything")).contains("access.rules:1:1: this rule would reject every null sender <>")
                .contains("RFC 5321 §4.5.5 and §6.1");
        assertThat(errorsOf("tempfail from <> client 0.0.0.0/0,::/0"))
                .contains("access.rules:1:1: this rule would tempfail every null sender <> (client 0.0.0.0/0,::/0 covers "
                        + "every IPv4 address)");
        assertThat(errorsOf("tempfail from <> client 0.0.0.0/1,128.0.0.0/1")).contains("covers every IPv4 address");
        assertThat(errorsOf("tempfail from <> client 192.0.2.0/24,::/0")).contains("covers every IPv6 address");
        assertThat(errorsOf("disconnect client 0.0.0.0/0,::/0")).contains("every null sender");
        assertThat(errorsOf("tempfail from <> not dynamic")).contains("'not dynamic' leaves almost every client in");
        assertThat(errorsOf("tempfail from <> not client 192.0.2.0/24")).contains("every null sender");
        assertThat(errorsOf("reject from <> not to user@example.org")).contains("every null sender");
    }

    @Test
    void recipientDomainsCoveringEveryProtectedDomainDoNotNarrowTheClients() throws Exception {
        NullSenderGuard guard = new NullSenderGuard(List.of("example.org", ".example.org"));
        assertThatThrownBy(() -> RuleFileReader.parse("access.rules", "disconnect from <> to example.org,.example.org\n",
                guard)).hasMessageContaining("access.rules:1:1: this rule would disconnect every null sender <> "
                        + "(to example.org,.example.org covers every protected domain)");
        assertThatThrownBy(() -> RuleFileReader.parse("access.rules", "reject to .org\n", guard))
                .hasMessageContaining("every null sender");
        assertThat(RuleFileReader.parse("access.rules", """
                reject from <> to example.org
                reject to user@example.org
                tempfail from <> to example.org,.example.org client 192.0.2.0/24
                """, guard)).hasSize(3);
    }

    @Test
    void nullSenderWithAnotherConditionOrOnlyWarnedIsFine() throws Exception {
        assertThat(parse("""
                tempfail from <> client-name .dialup.isp.example
                tempfail from <> to .protected.example dynamic
                warn from <>
                accept from <>
                """)).hasSize(4);
    }

    @Test
    void everythingStandsAlone() {
        assertThat(errorsOf("tempfail")).contains("a rule needs at least one condition, or 'everything'");
        assertThat(errorsOf("tempfail everything client 192.0.2.1")).contains("cannot be combined");
    }

    @Test
    void brokenWordsAreErrorsNotCrashes() {
        assertThat(errorsOf("tempfail client 192.0.2.1 because \"open")).contains("1:35: unterminated quoted text");
        assertThat(errorsOf("frobnicate client 192.0.2.1")).contains("1:1: expected an action");
        assertThat(errorsOf("tempfail client")).contains("'client' needs a value");
        assertThat(errorsOf("tempfail client 192.0.2.0/24,,192.0.2.9")).contains("empty value in list");
        assertThat(errorsOf("tempfail listed-in zen.example=10.0.0.2")).contains("127.0.0.0/8");
        assertThat(errorsOf("tempfail to <> client 192.0.2.1")).contains("<> is a sender, never a recipient");
        assertThat(errorsOf("tempfail until tomorrow client 192.0.2.1")).contains("not a date");
        assertThat(errorsOf("include other.rules")).contains("include is not allowed");
        assertThat(errorsOf("tempfail client-name bad..name")).contains("empty label");
    }

    @Test
    void everyBadLineIsReportedInOneRun() {
        String errors = errorsOf("""
                tempfail client 192.0.2.999
                # fine
                reject from <>
                tempfail at connect to x.example
                """);
        assertThat(errors.lines()).hasSize(3);
        assertThat(errors).contains("access.rules:1:").contains("access.rules:3:").contains("access.rules:4:");
    }
}
