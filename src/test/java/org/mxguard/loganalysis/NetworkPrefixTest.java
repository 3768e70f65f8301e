package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NetworkPrefixTest {

    @Test
    void dottedQuadsGetTheirPrefixesWithoutInetAddress() {
        assertThat(NetworkPrefix.of("192.0.2.77", 32)).isEqualTo("192.0.2.77");
        assertThat(NetworkPrefix.of("192.0.2.77", 24)).isEqualTo("192.0.2.0/24");
        assertThat(NetworkPrefix.of("198.51.100.200", 16)).isEqualTo("198.51.0.0/16");
        assertThat(NetworkPrefix.of("255.255.255.255", 24)).isEqualTo("255.255.255.0/24");
        assertThat(NetworkPrefix.of("2001:db8::1", 48)).isEqualTo("2001:db8::/48");
    }

    @Test
    void theFastPathAgreesWithGuavaOnOddAndRandomAddresses() throws UnknownHostException {
        List<String> odd = List.of("0.0.0.0", "255.255.255.255", "1.2.3.4", "01.2.3.4", "1.2.3.04", "256.1.1.1",
                "1.2.3", "1.2.3.4.5", "1..3.4", "1.2.3.4.", ".1.2.3", "1.2.3.1000", "a.b.c.d", "::ffff:1.2.3.4",
                "1.2.3.4 ", "unknown", "", "999.999.999.999", "10.0.0.255");
        for (String ip : odd) {
            for (int bits : new int[] {32, 24, 16}) {
                assertThat(NetworkPrefix.of(ip, bits)).as(ip + "/" + bits).isEqualTo(guava(ip, bits));
            }
            assertThat(NetworkPrefix.parse(ip)).as(ip).isEqualTo(guavaParse(ip));
        }
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            String ip = random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256) + "."
                    + random.nextInt(256);
            int bits = random.nextInt(33);
            assertThat(NetworkPrefix.of(ip, bits)).as(ip + "/" + bits).isEqualTo(guava(ip, bits));
        }
    }

    private static InetAddress guavaParse(String ip) {
        try {
            return InetAddresses.forString(ip);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The code before the fast path, as the reference. */
    private static String guava(String ip, int bits) throws UnknownHostException {
        InetAddress a = guavaParse(ip);
        if (a == null) {
            return ip;
        }
        byte[] b = a.getAddress();
        if (bits >= b.length * 8) {
            return InetAddresses.toAddrString(a);
        }
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - i * 8));
            b[i] = (byte) (b[i] & (0xff << (8 - keep)));
        }
        return InetAddresses.toAddrString(InetAddress.getByAddress(b)) + "/" + bits;
    }
}
