package org.mxguard.loganalysis;

/**
 * A queue id of up to 20 letters and digits packed into two longs, six bits a character (1 to 62,
 * so that leading zeros mark a shorter id): ten characters in {@link #high}, the rest in
 * {@link #low}. Every id the fast path reads fits (Postfix's short and long ids, sendmail's), and
 * two ids pack alike only when they are the same, so a join can key its messages on two longs
 * rather than on a string it must make, hash and compare.
 */
final class LogQueueId {

    static final int MAX = 20;
    private static final byte[] CODES = new byte[256];
    private static final char[] CHARS = new char[63];

    static {
        int code = 1;
        for (char c = '0'; c <= '9'; c++) {
            CHARS[code] = c;
            CODES[c] = (byte) code++;
        }
        for (char c = 'A'; c <= 'Z'; c++) {
            CHARS[code] = c;
            CODES[c] = (byte) code++;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            CHARS[code] = c;
            CODES[c] = (byte) code++;
        }
    }

    private LogQueueId() {
    }

    /** The character's code, 1 to 62; 0 when it is no letter or digit. */
    static int code(int c) {
        return CODES[c & 0xff] & (c >>> 8 == 0 ? 0xff : 0);
    }

    /** Whether the id packs: 1 to 20 letters and digits (null does not). */
    static boolean packs(String id) {
        if (id == null) {
            return false;
        }
        int n = id.length();
        if (n == 0 || n > MAX) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (code(id.charAt(i)) == 0) {
                return false;
            }
        }
        return true;
    }

    /** The first ten characters of an id that {@link #packs}. */
    static long high(String id) {
        long h = 0;
        for (int i = 0; i < Math.min(10, id.length()); i++) {
            h = h << 6 | code(id.charAt(i));
        }
        return h;
    }

    /** The characters after the tenth of an id that {@link #packs}. */
    static long low(String id) {
        long l = 0;
        for (int i = 10; i < id.length(); i++) {
            l = l << 6 | code(id.charAt(i));
        }
        return l;
    }

    /** The id back as a string. */
    static String unpack(long high, long low) {
        char[] out = new char[MAX];
        int n = 0;
        n = append(high, out, n);
        n = append(low, out, n);
        return new String(out, 0, n);
    }

    private static int append(long packed, char[] out, int n) {
        int digits = 0;
        for (long p = packed; p != 0; p >>>= 6) {
            digits++;
        }
        for (int i = digits - 1; i >= 0; i--) {
            out[n++] = CHARS[(int) (packed >>> (6 * i)) & 63];
        }
        return n;
    }
}
