package org.mxguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class CidrTest {

    @Test
    void parsesNetworksAndAddresses() {
        assertThat(Cidr.parse("192.0.2.0/24")).isEqualTo(new Cidr(true, 0, 0xC0000200L, 24));
        assertThat(Cidr.parse("192.0.2.53").length()).isEqualTo(32);
        assertThat(Cidr.parse("2001:db8::/32").toString()).isEqualTo("2001:db8::/32");
        assertThat(Cidr.parse("2001:DB8:0:0:1::25").toString()).isEqualTo("2001:db8::1:0:0:25");
        assertThat(Cidr.parse("0.0.0.0/0").contains(Cidr.parse("203.0.113.9"))).isTrue();
    }

    @Test
    void describesNetworksAsToStringWritesThem() {
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 10_000; i++) {
            int length = random.nextInt(33);
            long network = random.nextInt() & 0xffffffffL & Cidr.maskV4(length);
            Cidr cidr = new Cidr(true, 0, network, length);
            assertThat(Cidr.describeV4("client ", network, length)).isEqualTo("client " + cidr);
        }
        assertThat(Cidr.describeV4("client ", 0, 0)).isEqualTo("client 0.0.0.0/0");
        assertThat(Cidr.describeV4("client ", 0xffffffffL, 32)).isEqualTo("client 255.255.255.255");
        assertThat(Cidr.describeV4("client ", 0x0a000a00L, 24)).isEqualTo("client 10.0.10.0/24");
    }

    @Test
    void refusesHostBitsAndNonsenseWithoutResolvingNames() {
        assertThatThrownBy(() -> Cidr.parse("192.0.2.1/24")).hasMessage(
                "host bits set in 192.0.2.1/24; the network is 192.0.2.0/24");
        assertThatThrownBy(() -> Cidr.parse("localhost")).hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> Cidr.parse("192.0.2.01")).hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> Cidr.parse("192.0.2.0/33")).hasMessageContaining("prefix length above 32");
        assertThatThrownBy(() -> Cidr.parse("2001:db8::/129")).hasMessageContaining("above 128");
        assertThatThrownBy(() -> Cidr.parse("192.0.2.0/")).hasMessageContaining("not a prefix length");
    }

    @Test
    void containsAddressesOfItsFamilyOnly() throws Exception {
        Cidr net = Cidr.parse("2001:db8:bad::/48");
        Cidr inside = Cidr.of(InetAddress.getByName("2001:db8:bad:1::25"));
        assertThat(net.contains(inside)).isTrue();
        assertThat(net.contains(Cidr.of(InetAddress.getByName("2001:db8:bae::1")))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains(false, 0, 0)).isFalse();
        assertThat(inside.truncate(48)).isEqualTo(net);
    }

    @Test
    void namePatternsAreExactOrStrictlyBelow() {
        NamePattern below = NamePattern.parse(".Dialup.ISP.example.");
        assertThat(below).isEqualTo(new NamePattern("dialup.isp.example", true));
        assertThat(below.matches("ppp7.dialup.isp.example")).isTrue();
        assertThat(below.matches("dialup.isp.example")).isFalse();
        assertThat(below.matches("xdialup.isp.example")).isFalse();
        assertThat(NamePattern.parse("mail.example").matches("a.mail.example")).isFalse();
    }
}
