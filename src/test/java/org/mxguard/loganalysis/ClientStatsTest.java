package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Statistics summed in parts, in any order, equal those summed in log order. */
class ClientStatsTest {

    @Test
    void partsAddedInAnyOrderGiveTheLastNameAndTheFirstHosts() {
        String[] names = {"a.example", null, "b.example", "c.example", null};
        String[] hosts = {"mx5", "mx1", "mx2", "mx1", "mx3", "mx4", "mx6", "mx2"};
        ClientStats inOrder = new ClientStats("192.0.2.1");
        ClientStats odd = new ClientStats("192.0.2.1");
        ClientStats even = new ClientStats("192.0.2.1");
        for (int seq = 0; seq < hosts.length; seq++) {
            String name = names[seq % names.length];
            inOrder.touch(hosts[seq], 1000 + seq, name, seq);
            (seq % 2 == 0 ? even : odd).touch(hosts[seq], 1000 + seq, name, seq);
            (seq % 2 == 0 ? even : odd).connects++;
        }
        for (ClientStats[] order : new ClientStats[][] {{odd, even}, {even, odd}}) {
            ClientStats sum = new ClientStats("192.0.2.1");
            sum.add(order[0]);
            sum.add(order[1]);
            assertThat(sum.name).isEqualTo(inOrder.name).isEqualTo("b.example");
            assertThat(sum.loggedBy()).isEqualTo(inOrder.loggedBy()).containsExactly("mx1", "mx2", "mx3", "mx5");
            assertThat(sum.first).isEqualTo(1000);
            assertThat(sum.last).isEqualTo(1007);
            assertThat(sum.connects).isEqualTo(8);
        }
    }
}
