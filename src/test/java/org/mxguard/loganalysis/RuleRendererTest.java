package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

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
        assertThat(out).contains("Connect:192.0.2\tERROR:\"451 4.7.1 Relaying Denied\"")
                .contains("Connect:198.51\tERROR:").contains("Connect:203.0.113.7\tERROR:")
                .contains("Connect:IPv6:2001:db8:1:2\tERROR:").contains("Connect:mix1.willowsprings.mci.net\tERROR:");
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
