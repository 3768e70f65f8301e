package org.mxguard.policy;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * An IPv4 or IPv6 network, {@code 192.0.2.0/24} or {@code 2001:db8::/32}; a bare address is a /32 or
 * /128. IPv4 addresses live in the low 32 bits of {@code lo}. Host bits beyond the prefix are zero.
 *
 * @param v4 true for IPv4
 * @param hi the upper 64 bits of an IPv6 network, 0 for IPv4
 * @param lo the lower 64 bits of an IPv6 network, or the IPv4 network
 * @param length the prefix length, 0..32 or 0..128
 */
public record Cidr(boolean v4, long hi, long lo, int length) {

    public Cidr {
        if (length < 0 || length > (v4 ? 32 : 128)) {
            throw new IllegalArgumentException("prefix length out of range: " + length);
        }
    }

    /**
     * Parses an address or network. Never resolves names: text that is not an address literal is
     * refused before {@link InetAddress} sees it.
     *
     * @throws IllegalArgumentException with a message fit for a rule-file error
     */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String addressText = slash < 0 ? text : text.substring(0, slash);
        long v4 = parseV4(addressText);
        boolean isV4 = v4 >= 0;
        long hi = 0;
        long lo = v4;
        if (!isV4) {
            long[] v6 = parseV6(addressText);
            if (v6 == null) {
                throw new IllegalArgumentException("not an IP address or network: " + text);
            }
            hi = v6[0];
            lo = v6[1];
        }
        int max = isV4 ? 32 : 128;
        int length = max;
        if (slash >= 0) {
            String lengthText = text.substring(slash + 1);
            if (lengthText.isEmpty() || lengthText.length() > 3 || !lengthText.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("not a prefix length: " + text);
            }
            length = Integer.parseInt(lengthText);
            if (length > max) {
                throw new IllegalArgumentException("prefix length above " + max + ": " + text);
            }
        }
        Cidr network = isV4 ? new Cidr(true, 0, lo & maskV4(length), length)
                : new Cidr(false, hi & maskHi(length), lo & maskLo(length), length);
        if (network.hi != hi || network.lo != lo) {
            // Postfix's cidr: tables refuse this too: the author almost always meant the network.
            throw new IllegalArgumentException("host bits set in " + text + "; the network is " + network);
        }
        return network;
    }

    /** The network of one address, as a /32 or /128. */
    public static Cidr of(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return new Cidr(true, 0, toV4(b), 32);
        }
        return new Cidr(false, toLong(b, 0), toLong(b, 8), 128);
    }

    /** This network shortened to {@code newLength} bits. */
    public Cidr truncate(int newLength) {
        return v4 ? new Cidr(true, 0, lo & maskV4(newLength), newLength)
                : new Cidr(false, hi & maskHi(newLength), lo & maskLo(newLength), newLength);
    }

    /** True if {@code other} lies within this network. */
    public boolean contains(Cidr other) {
        return v4 == other.v4 && other.length >= length && other.truncate(length).equals(this);
    }

    public boolean contains(boolean addressV4, long addressHi, long addressLo) {
        if (addressV4 != v4) {
            return false;
        }
        return v4 ? (addressLo & maskV4(length)) == lo
                : (addressHi & maskHi(length)) == hi && (addressLo & maskLo(length)) == lo;
    }

    public InetAddress address() {
        byte[] b;
        if (v4) {
            b = new byte[] {(byte) (lo >>> 24), (byte) (lo >>> 16), (byte) (lo >>> 8), (byte) lo};
        } else {
            b = new byte[16];
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) (hi >>> (56 - 8 * i));
                b[8 + i] = (byte) (lo >>> (56 - 8 * i));
            }
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4 or 16 byte address is always valid", e);
        }
    }

    @Override
    public String toString() {
        String a = v4 ? dotted(lo) : compressV6();
        return length == (v4 ? 32 : 128) ? a : a + "/" + length;
    }

    private String compressV6() {
        String full = address().getHostAddress();
        // Inet6Address prints every group; collapse the longest run of zero groups as RFC 5952 asks.
        String[] groups = full.split(":");
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < groups.length; i++) {
            int j = i;
            while (j < groups.length && groups[j].equals("0")) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = Math.max(i, j);
        }
        if (bestStart < 0) {
            return full;
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLen, groups.length));
        return head + "::" + tail;
    }

    /**
     * {@code prefix} then the network as {@link #toString} writes it ("client 192.0.2.0/24"), in one
     * byte array: a decision by a network rule names its network, and must stay cheap.
     */
    static String describeV4(String prefix, long v4, int length) {
        byte[] b = new byte[prefix.length() + 18];
        int n = 0;
        for (int i = 0; i < prefix.length(); i++) {
            b[n++] = (byte) prefix.charAt(i);
        }
        for (int shift = 24; shift >= 0; shift -= 8) {
            n = decimal(b, n, (int) (v4 >>> shift) & 0xff);
            b[n++] = '.';
        }
        n--;
        if (length != 32) {
            b[n++] = '/';
            n = decimal(b, n, length);
        }
        return new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }

    private static int decimal(byte[] b, int n, int value) {
        if (value >= 100) {
            b[n++] = (byte) ('0' + value / 100);
        }
        if (value >= 10) {
            b[n++] = (byte) ('0' + value / 10 % 10);
        }
        b[n++] = (byte) ('0' + value % 10);
        return n;
    }

    /** A dotted quad without InetAddress: decisions name networks, and they must be cheap. */
    public static String dotted(long v4) {
        StringBuilder b = new StringBuilder(15);
        b.append((v4 >>> 24) & 0xff).append('.').append((v4 >>> 16) & 0xff).append('.')
                .append((v4 >>> 8) & 0xff).append('.').append(v4 & 0xff);
        return b.toString();
    }

    static long maskV4(int length) {
        return length == 0 ? 0 : (0xffffffffL << (32 - length)) & 0xffffffffL;
    }

    static long maskHi(int length) {
        if (length >= 64) {
            return -1L;
        }
        return length == 0 ? 0 : -1L << (64 - length);
    }

    static long maskLo(int length) {
        if (length <= 64) {
            return 0;
        }
        return length == 128 ? -1L : -1L << (128 - length);
    }

    static long toV4(byte[] b) {
        return ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
    }

    static long toLong(byte[] b, int offset) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[offset + i] & 0xffL);
        }
        return v;
    }

    /**
     * A strict dotted quad (four decimal numbers up to 255, no leading zeros) as an unsigned 32-bit
     * value, or -1; no InetAddress, so no DNS and no garbage. Also the log analyzer's parser.
     */
    public static long parseV4(String s) {
        int n = s.length();
        if (n < 7 || n > 15) {
            return -1;
        }
        long value = 0;
        int parts = 0;
        int i = 0;
        while (i <= n) {
            int start = i;
            int octet = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                octet = octet * 10 + (s.charAt(i) - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0 || digits > 3 || octet > 255 || (digits > 1 && s.charAt(start) == '0')) {
                return -1;
            }
            value = (value << 8) | octet;
            parts++;
            if (i == n) {
                break;
            }
            if (s.charAt(i) != '.' || parts == 4) {
                return -1;
            }
            i++;
        }
        return parts == 4 ? value : -1;
    }

    /** An IPv6 literal as two longs, or null. Only hex digits, ':' and '.' reach InetAddress, so no DNS. */
    static long[] parseV6(String s) {
        if (s.isEmpty() || s.length() > 45 || s.indexOf(':') < 0) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':'
                    || c == '.';
            if (!ok) {
                return null;
            }
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(s);
        } catch (UnknownHostException | RuntimeException e) {
            return null;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            // Java turns ::ffff:192.0.2.1 into an IPv4 address; keep the written IPv6 form.
            return new long[] {0, 0xffff00000000L | toV4(b)};
        }
        return new long[] {toLong(b, 0), toLong(b, 8)};
    }
}
