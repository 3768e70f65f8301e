package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The client table finds each address's one statistics, whatever form the address takes. */
class ClientTableTest {

    @Test
    void dottedQuadsAreReadAsIntsOnlyInTheirUsualForm() {
        assertThat(ClientTable.ipv4("192.0.2.7")).isEqualTo(0xC0000207L);
        assertThat(ClientTable.ipv4("0.0.0.0")).isZero();
        assertThat(ClientTable.ipv4("255.255.255.255")).isEqualTo(0xFFFFFFFFL);
        for (String other : new String[] {"192.0.2.07", "192.0.2", "192.0.2.7.1", "192.0.2.256", "192..2.7",
            ".192.0.2", "192.0.2.", "2001:db8::1", "1234", "", "192.0.2.7 ", "1920.2.7.1"}) {
            assertThat(ClientTable.ipv4(other)).as(other).isEqualTo(-1);
        }
        assertThat(ClientTable.ipv4(null)).isEqualTo(-1);
    }

    @Test
    void eachAddressHasOneStatisticsAmongManyClients() {
        ClientTable t = new ClientTable();
        Set<ClientStats> seen = new HashSet<>();
        for (int i = 0; i < 70_000; i++) {
            seen.add(t.get("10." + (i >> 16) + "." + (i >> 8 & 255) + "." + (i & 255)));
        }
        ClientStats zeroPadded = t.get("10.0.0.01");
        ClientStats v6 = t.get("2001:db8::1");
        assertThat(seen).hasSize(70_000);
        assertThat(t.get("10.0.1.2")).isSameAs(t.get("10.0.1.2")).isIn(seen);
        assertThat(zeroPadded).isNotSameAs(t.get("10.0.0.1")).isSameAs(t.get("10.0.0.01"));
        assertThat(t.get("2001:db8::1")).isSameAs(v6);
        assertThat(t.size()).isEqualTo(70_002);
        assertThat(t.asMap()).hasSize(70_002).containsEntry("10.0.0.01", zeroPadded).containsEntry("2001:db8::1", v6);
        assertThat(t.asMap().get("10.1.0.255").ip).isEqualTo("10.1.0.255");
    }
}
