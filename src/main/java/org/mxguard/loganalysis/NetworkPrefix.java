package org.mxguard.loganalysis;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import org.mxguard.policy.Cidr;

/** CIDR prefixes of a client address: /24 and /16 for IPv4, /64 and /48 for IPv6. */
final class NetworkPrefix {

    private NetworkPrefix() {
    }

    /** The prefix lengths to aggregate at, narrowest first, ending with the whole address. */
    static int[] levels(String ip) {
        return ip.indexOf(':') >= 0 ? new int[] {128, 64, 48} : new int[] {32, 24, 16};
    }

    static InetAddress parse(String ip) {
        long v4 = Cidr.parseV4(ip);
        try {
            if (v4 != -1) {
                return InetAddress.getByAddress(new byte[] {(byte) (v4 >>> 24), (byte) (v4 >>> 16), (byte) (v4 >>> 8),
                    (byte) v4});
            }
            return InetAddresses.forString(ip);
        } catch (IllegalArgumentException | java.net.UnknownHostException e) {
            return null;
        }
    }

    /** {@code 192.0.2.0/24} for ({@code 192.0.2.77}, 24); the bare address at full length. */
    static String of(String ip, int bits) {
        long v4 = Cidr.parseV4(ip);
        if (v4 != -1) {
            // Dotted quads (nearly every client) without InetAddress: Ranking asks for three
            // prefixes of each of tens of thousands of clients.
            if (bits >= 32) {
                return ip;
            }
            if (bits == 24 || bits == 16 || bits == 8) {
                // parseV4 takes canonical dotted quads only (no leading zeros): the prefix is the
                // address's first octets as written, then zeros, with no number formatting.
                int end = -1;
                for (int octets = bits / 8; octets > 0; octets--) {
                    end = ip.indexOf('.', end + 1);
                }
                return ip.substring(0, end) + (bits == 24 ? ".0/24" : bits == 16 ? ".0.0/16" : ".0.0.0/8");
            }
            long masked = bits <= 0 ? 0 : v4 & (0xffffffffL << (32 - bits));
            return Cidr.dotted(masked) + "/" + bits;
        }
        InetAddress a = parse(ip);
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
        try {
            return InetAddresses.toAddrString(InetAddress.getByAddress(b)) + "/" + bits;
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
