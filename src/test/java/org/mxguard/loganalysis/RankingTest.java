package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which source each cluster of offenders gets: the smallest that holds them and no legitimate client. */
class RankingTest {

    private final Map<String, ClientStats> clients = new HashMap<>();

    private void ems(String ip, String name) {
        ClientStats c = new ClientStats(ip);
        c.name = name;
        c.messages = 10;
        c.nullMessages = 10;
        clients.put(ip, c);
    }

    private void legit(String ip, String name) {
        ClientStats c = new ClientStats(ip);
        c.name = name;
        c.messages = 5;
        clients.put(ip, c);
    }

    private List<String> targets(Set<String> primary) {
        Ranking r = new Ranking(clients, primary, !primary.isEmpty(), AnalyzerSettings.defaults());
        return r.proposals().stream().map(Proposal::target).sorted().toList();
    }

    @Test
    void aProposalsSamplesAreItsWorstOffendersWhateverTheOrderTheClientsCameIn() {
        int[] nulls = {4, 9, 9, 2, 30, 7};
        List<String> expected = List.of("ppp-4.pool.isp.example [198.51.100.4]",
                "ppp-1.pool.isp.example [198.51.100.1]", "ppp-2.pool.isp.example [198.51.100.2]");
        for (int rotate = 0; rotate < nulls.length; rotate++) {
            clients.clear();
            for (int k = 0; k < nulls.length; k++) {
                int i = (k + rotate) % nulls.length;
                ems("198.51.100." + i, "ppp-" + i + ".pool.isp.example");
                clients.get("198.51.100." + i).messages = nulls[i];
                clients.get("198.51.100." + i).nullMessages = nulls[i];
            }
            Ranking r = new Ranking(clients, Set.of(), false, AnalyzerSettings.defaults());
            Proposal net = r.proposals().stream().filter(p -> p.target().equals("198.51.100.0/24")).findFirst()
                    .orElseThrow();
            assertThat(net.samples()).as("rotation %d", rotate).isEqualTo(expected);
        }
    }

    @Test
    void offendersInOneSlash24GetThatSlash24() {
        ems("198.51.100.7", "ppp-7.pool.isp.example");
        ems("198.51.100.9", "ppp-9.pool.isp.example");
        assertThat(targets(Set.of())).containsExactly(".pool.isp.example", "198.51.100.0/24");
    }

    @Test
    void offendersSpreadOverASlash16WithoutLegitimateClientsGetTheSlash16() {
        ems("198.51.1.7", "dialup-1.isp.example");
        ems("198.51.2.9", "dialup-2.isp.example");
        assertThat(targets(Set.of())).contains("198.51.0.0/16");
    }

    @Test
    void aLegitimateNeighbourNarrowsTheRuleToTheOffendersOwnNetworks() {
        ems("198.51.1.7", "dialup-1.a.isp.example");
        ems("198.51.1.8", "dialup-2.a.isp.example");
        ems("198.51.2.9", "dialup-3.b.isp.example");
        legit("198.51.3.1", "mail.c.isp.example");
        // 198.51.2.9 is alone in its /24: it is proposed as an address, not as a network.
        assertThat(targets(Set.of())).containsExactly(".a.isp.example", "198.51.1.0/24", "198.51.2.9");
    }

    @Test
    void aLegitimateClientInTheSameSlash24LeavesOnlyAddresses() {
        ems("192.0.2.7", null);
        ems("192.0.2.8", null);
        legit("192.0.2.1", "mx.tenant.example");
        assertThat(targets(Set.of())).containsExactly("192.0.2.7", "192.0.2.8");
    }

    @Test
    void ipv6OffendersGetTheirSlash64() {
        ems("2001:db8:1:2::7", "dyn-7.cable.isp.example");
        ems("2001:db8:1:2::9", "dyn-9.cable.isp.example");
        legit("2001:db8:1:3::1", "mail.isp.example");
        assertThat(targets(Set.of())).containsExactly(".cable.isp.example", "2001:db8:1:2::/64");
    }

    @Test
    void clientsThatContactedThePrimaryAreNeverProposedAndCountAsLegitimate() {
        ems("198.51.100.7", "ppp-7.pool.isp.example");
        ems("198.51.100.9", "ppp-9.pool.isp.example");
        ems("198.51.100.11", "ppp-11.pool.isp.example");
        assertThat(targets(Set.of("198.51.100.11"))).containsExactly("198.51.100.7", "198.51.100.9");
    }

    @Test
    void subdomainsAreNarrowedBelowALegitimateSender() {
        ems("198.51.100.1", "usr1-dialup1.mix1.willowsprings.mci.net");
        ems("198.51.100.2", "usr2-dialup2.mix1.willowsprings.mci.net");
        ems("203.0.113.3", "usr3-dialup3.mix2.willowsprings.mci.net");
        ems("203.0.113.4", "usr4-dialup4.mix2.willowsprings.mci.net");
        assertThat(targets(Set.of())).contains(".willowsprings.mci.net");
        legit("192.0.2.50", "mail.willowsprings.mci.net");
        assertThat(targets(Set.of())).contains(".mix1.willowsprings.mci.net", ".mix2.willowsprings.mci.net")
                .doesNotContain(".willowsprings.mci.net", ".mci.net");
    }

    @Test
    void serverThatSendsBouncesIsNeitherOffenderNorCovered() {
        ems("198.51.100.7", "ppp-7.pool.isp.example");
        ems("198.51.100.9", "ppp-9.pool.isp.example");
        ems("198.51.100.20", "mail.isp.example");
        assertThat(targets(Set.of())).containsExactly(".pool.isp.example", "198.51.100.7", "198.51.100.9");
    }

    @Test
    void theTopFewComeInTheOrderOfTheWholeRanking() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        for (int i = 0; i < 3000; i++) {
            ClientStats c = new ClientStats("10." + random.nextInt(4) + "." + random.nextInt(256) + "."
                    + random.nextInt(256));
            c.name = random.nextInt(3) == 0 ? null : "dsl-" + i + ".pool.isp" + random.nextInt(5) + ".example";
            c.messages = random.nextInt(4);
            c.nullMessages = random.nextInt(3) == 0 ? c.messages : 0;
            c.rejects = random.nextInt(2);
            clients.put(c.ip, c);
        }
        List<ClientVerdict> all = new Ranking(clients, Set.of(), false, AnalyzerSettings.defaults())
                .ranked(Integer.MAX_VALUE);
        assertThat(all).hasSize(clients.size());
        for (int limit : new int[] {0, 1, 7, 20, 100, 375, 1000}) {
            // A fresh ranking each time: once the whole order is made, every call reads it.
            Ranking r = new Ranking(clients, Set.of(), false, AnalyzerSettings.defaults());
            assertThat(r.ranked(limit)).as("top " + limit).containsExactlyElementsOf(all.subList(0, limit)
                    .stream().map(v -> r.verdicts().stream().filter(w -> w.stats == v.stats).findFirst().orElseThrow())
                    .toList());
        }
        for (int i = 1; i < all.size(); i++) {
            ClientVerdict a = all.get(i - 1);
            ClientVerdict b = all.get(i);
            assertThat(a.score.value()).isGreaterThanOrEqualTo(b.score.value());
            if (a.score.value() == b.score.value()) {
                assertThat(a.stats.nullTransactions()).isGreaterThanOrEqualTo(b.stats.nullTransactions());
                if (a.stats.nullTransactions() == b.stats.nullTransactions()) {
                    assertThat(a.stats.ip).isLessThan(b.stats.ip);
                }
            }
        }
    }
}
