package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mxguard.policy.AccessMapExport;
import org.mxguard.policy.AccessMapImport;
import org.mxguard.policy.ConversionResult;
import org.mxguard.policy.Rule;
import org.mxguard.policy.RuleFileReader;

class RuleRendererTest {

    private static final LocalDate EXPIRES = LocalDate.of(2026, 12, 26);

    private static Proposal proposal(Proposal.Kind kind, String target) {
        return new Proposal(kind, target, new Score(87, List.of("null sender in 9 of 9 transactions (+35)")), 3, 9, 9,
                0, 0, 0, List.of("usr1-dialup2.mix1.willowsprings.mci.net [166.55.38.53]"), true);
    }

    @Test
    void mxguardRulesCarryEvidenceAndExpiry() {
        String out = RuleRenderer.render(RuleRenderer.Format.MXGUARD, List.of(
                proposal(Proposal.Kind.NETWORK, "192.0.2.0/24"),
                proposal(Proposal.Kind.NAME, ".mix1.willowsprings.mci.net")), EXPIRES);
        assertThat(out).contains("# score 87: 3 clients, 9 of 9 transactions null-sender, never contacted the "
                + "primary MX, e.g. usr1-dialup2.mix1.willowsprings.mci.net [166.55.38.53]; expires 2026-12-26\n"
                + "tempfail from <> client 192.0.2.0/24 until 2026-12-26 because \"");
        assertThat(out).contains("tempfail from <> client-name .mix1.willowsprings.mci.net until 2026-12-26");
    }

    @Test
    void emittedRulesLoadIntoThePolicyEngineAndActOnlyOnTheNullSender() throws Exception {
        String out = RuleRenderer.render(RuleRenderer.Format.MXGUARD, List.of(
                proposal(Proposal.Kind.NETWORK, "192.0.2.0/24"),
                proposal(Proposal.Kind.NAME, ".mix1.willowsprings.mci.net")), EXPIRES);
        List<org.mxguard.policy.Rule> rules = org.mxguard.policy.RuleFileReader.parse("emitted.rules", out);
        assertThat(rules).hasSize(2);
    }

    @Test
    void sendmailAccessMapUsesWholeOctetsAndDomainNames() {
        String out = RuleRenderer.render(RuleRenderer.Format.SENDMAIL, List.of(
                proposal(Proposal.Kind.NETWORK, "192.0.2.0/24"), proposal(Proposal.Kind.NETWORK, "198.51.0.0/16"),
                proposal(Proposal.Kind.ADDRESS, "203.0.113.7"),
                proposal(Proposal.Kind.NETWORK, "2001:db8:1:2::/64"),
                proposal(Proposal.Kind.NAME, ".mix1.willowsprings.mci.net")), EXPIRES);
        assertThat(out).contains("Connect:192.0.2\tERROR:4.7.1:451 Relaying Denied")
                .contains("Connect:198.51\tERROR:").contains("Connect:203.0.113.7\tERROR:")
                .contains("Connect:IPv6:2001:db8:1:2\tERROR:").contains("Connect:mix1.willowsprings.mci.net\tERROR:");
    }

    @Test
    void sendmailHasNoKeyForAnIpv6PrefixWithAZeroGroupAndSaysSo() {
        String out = RuleRenderer.render(RuleRenderer.Format.SENDMAIL, List.of(
                proposal(Proposal.Kind.NETWORK, "2001:db8::/48"), proposal(Proposal.Kind.NETWORK, "192.0.2.0/25")),
                EXPIRES);
        assertThat(out).contains("# (no sendmail form for 2001:db8::/48: sendmail keys are whole octets")
                .contains("# (no sendmail form for 192.0.2.0/25: ");
        assertThat(out.lines().filter(l -> !l.startsWith("#"))).isEmpty();
    }

    /**
     * Proposal, rule, table line, imported rule: the same rule comes back, so what the analyzer
     * proposes for a peer MTA means there what it means here.
     */
    @ParameterizedTest
    @CsvSource({"NETWORK, 192.0.2.0/24", "NETWORK, 198.51.0.0/16", "ADDRESS, 203.0.113.7", "NETWORK, 10.0.0.0/8",
        "NETWORK, 2001:db8:1::/48", "NETWORK, 2001:db8:1:2::/64", "ADDRESS, 2001:db8::7",
        "NAME, .mix1.willowsprings.mci.net"})
    void proposalsComeBackUnchangedThroughSendmailAndPostfixTables(Proposal.Kind kind, String target)
            throws Exception {
        Rule rule = RuleRenderer.accessRule(proposal(kind, target));

        ConversionResult sendmail = AccessMapExport.sendmail(List.of(rule));
        assertThat(sendmail.lines()).singleElement().asString().startsWith("Connect:")
                .endsWith("\tERROR:4.7.1:451 Relaying Denied");
        assertThat(imported(AccessMapImport.sendmail("access", sendmail.lines()))).isEqualTo(rule.render());

        if (kind != Proposal.Kind.NAME) {
            ConversionResult cidr = AccessMapExport.postfixCidr(List.of(rule));
            assertThat(cidr.lines()).singleElement().asString().endsWith("\t451 4.7.1 Relaying Denied");
            assertThat(imported(AccessMapImport.postfixCidr("client.cidr", cidr.lines()))).isEqualTo(rule.render());
        }
    }

    @Test
    void bothSendmailErrorFormsImportAsTheProposedRule() throws Exception {
        Rule rule = RuleRenderer.accessRule(proposal(Proposal.Kind.NETWORK, "192.0.2.0/24"));
        assertThat(imported(AccessMapImport.sendmail("access",
                List.of("Connect:192.0.2\tERROR:\"451 4.7.1 Relaying Denied\"")))).isEqualTo(rule.render());
        assertThat(imported(AccessMapImport.sendmail("access",
                List.of("Connect:192.0.2\tERROR:4.7.1:451 Relaying Denied")))).isEqualTo(rule.render());
    }

    @Test
    void aWholeProposedAccessMapImportsAsOneRulePerProposal() throws Exception {
        String out = RuleRenderer.render(RuleRenderer.Format.SENDMAIL, List.of(
                proposal(Proposal.Kind.NETWORK, "192.0.2.0/24"), proposal(Proposal.Kind.NETWORK, "2001:db8:1::/48"),
                proposal(Proposal.Kind.NAME, ".pool.isp.example")), EXPIRES);
        ConversionResult back = AccessMapImport.sendmail("access", out.lines().toList());
        assertThat(back.untranslatable()).isEmpty();
        assertThat(RuleFileReader.parse("imported.rules", String.join("\n", back.lines()))).hasSize(3);
    }

    private static String imported(ConversionResult back) throws Exception {
        assertThat(back.untranslatable()).isEmpty();
        List<Rule> rules = RuleFileReader.parse("imported.rules", String.join("\n", back.lines()));
        assertThat(rules).hasSize(1);
        return rules.getFirst().render();
    }

    @Test
    void postfixCidrTableHasNetworksAndPointsNamesElsewhere() {
        String out = RuleRenderer.render(RuleRenderer.Format.POSTFIX_CIDR, List.of(
                proposal(Proposal.Kind.NETWORK, "192.0.2.0/24"), proposal(Proposal.Kind.ADDRESS, "203.0.113.7"),
                proposal(Proposal.Kind.NAME, ".pool.isp.example")), EXPIRES);
        assertThat(out).contains("192.0.2.0/24\t451 4.7.1 Relaying Denied\n").contains("203.0.113.7/32\t451")
                .contains("# pool.isp.example is a name");
        assertThat(out.lines().filter(l -> !l.startsWith("#"))).allMatch(l -> l.matches("[0-9a-f.:]+/\\d+\t451 .*"));
    }
}
