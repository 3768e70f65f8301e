package org.mxguard.policy;

/** The hash and length bookkeeping the prefix tables share. */
final class PrefixHash {

    private PrefixHash() {
    }

    /** MurmurHash3's 64-bit finalizer: networks differ in high bits, slots need low bits to differ. */
    static int mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return (int) k;
    }

    static int mix(long hi, long lo, int length) {
        return mix(hi * 31 + mix(lo) + length);
    }

    /** The lengths present, longest first (the order does not matter for correctness). */
    static int[] lengthsOf(boolean[] present) {
        int n = 0;
        for (boolean p : present) {
            n += p ? 1 : 0;
        }
        int[] out = new int[n];
        int j = 0;
        for (int len = present.length - 1; len >= 0; len--) {
            if (present[len]) {
                out[j++] = len;
            }
        }
        return out;
    }
}
