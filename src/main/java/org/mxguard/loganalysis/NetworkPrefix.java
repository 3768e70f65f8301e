package org.mxguard.loganalysis;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;

/** CIDR prefixes of a client address: /24 and /16 for IPv4, /64 and /48 for IPv6. */
final class NetworkPrefix {

    private NetworkPrefix() {
    }

    /** The prefix lengths to aggregate at, narrowest first, ending with the whole address. */
    static int[] levels(String ip) {
        return ip.indexOf(':') >= 0 ? new int[] {128, 64, 48} : new int[] {32, 24, 16};
    }

    /**
     * The address of a canonical dotted quad (four decimal numbers up to 255, no leading zeros,
     * as Guava's {@code InetAddresses.forString} accepts and {@code toAddrString} writes), or -1
     * for anything else (and for 255.255.255.255, which the caller checks).
     */
    static int ipv4(String ip) {
        int n = ip.length();
        if (n < 7 || n > 15) {
            return -1;
        }
        int value = 0;
        int parts = 0;
        int i = 0;
        while (true) {
            int start = i;
            int octet = 0;
            while (i < n && i - start < 3) {
                char c = ip.charAt(i);
                if (c < '0' || c > '9') {
                    break;
                }
                octet = octet * 10 + c - '0';
                i++;
            }
            if (i == start || octet > 255 || i - start > 1 && ip.charAt(start) == '0') {
                return -1;
            }
            value = value << 8 | octet;
            parts++;
            if (i == n) {
                return parts == 4 ? value : -1;
            }
            if (parts == 4 || ip.charAt(i) != '.') {
                return -1;
            }
            i++;
        }
    }

    static InetAddress parse(String ip) {
        int v4 = ipv4(ip);
        try {
            if (v4 != -1 || ip.equals("255.255.255.255")) {
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
        int v4 = ipv4(ip);
        if (v4 != -1 || ip.equals("255.255.255.255")) {
            // Dotted quads (nearly every client) without InetAddress: Ranking asks for three
            // prefixes of each of tens of thousands of clients.
            if (bits >= 32) {
                return ip;
            }
            int masked = bits <= 0 ? 0 : v4 & (int) (0xffffffffL << (32 - bits));
            return (masked >>> 24) + "." + (masked >>> 16 & 0xff) + "." + (masked >>> 8 & 0xff) + "."
                    + (masked & 0xff) + "/" + bits;
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
