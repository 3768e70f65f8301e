package org.mxguard.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class DnsblClientTest {

    @Test
    void ipv4OctetsAreReversed() throws Exception {
        // RFC 5782 §2.1 example.
        assertThat(DnsblClient.queryName("bad.example.com", InetAddress.getByName("192.168.2.1")))
                .isEqualTo("1.2.168.192.bad.example.com");
    }

    @Test
    void ipv6NibblesAreReversed() throws Exception {
        // RFC 5782 §2.4 example.
        assertThat(DnsblClient.queryName("bad.example.com.", InetAddress.getByName("2001:db8:1:2:3:4:567:89ab")))
                .isEqualTo("b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.bad.example.com");
    }
}
