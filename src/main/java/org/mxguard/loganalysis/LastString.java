package org.mxguard.loganalysis;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A Latin-1 string made from bytes, reusing the last one when the bytes are the same: a field
 * such as the relay or the status repeats line after line. (A larger cache, by hash, of client
 * names and addresses was slower than making the strings: its misses cost more than it saved.)
 */
final class LastString {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);

    private byte[] key = new byte[0];
    private String value = "";

    String get(byte[] b, int from, int to) {
        int length = to - from;
        if (key.length == length && same(b, from, key, 0, length)) {
            return value;
        }
        key = Arrays.copyOfRange(b, from, to);
        value = new String(key, StandardCharsets.ISO_8859_1);
        return value;
    }

    /**
     * Whether {@code a[ai, ai + n)} equals {@code k[ki, ki + n)}, eight bytes at a time. Faster than
     * {@code Arrays.equals} on ranges for the short keys compared here, whose set-up cost dominates.
     */
    static boolean same(byte[] a, int ai, byte[] k, int ki, int n) {
        if (n >= 8) {
            int i = 0;
            for (; i + 8 < n; i += 8) {
                if ((long) LONGS.get(a, ai + i) != (long) LONGS.get(k, ki + i)) {
                    return false;
                }
            }
            // The last eight bytes, overlapping those compared: no byte-by-byte tail.
            return (long) LONGS.get(a, ai + n - 8) == (long) LONGS.get(k, ki + n - 8);
        }
        for (int i = 0; i < n; i++) {
            if (a[ai + i] != k[ki + i]) {
                return false;
            }
        }
        return true;
    }
}
