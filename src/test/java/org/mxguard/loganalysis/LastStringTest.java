package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Byte ranges compare as Arrays.equals compares them, whatever their length and offsets. */
class LastStringTest {

    @Property(tries = 2000)
    void rangesCompareAsArraysEquals(@ForAll @Size(min = 40, max = 40) byte[] a, @ForAll @IntRange(max = 10) int ai,
            @ForAll @IntRange(max = 10) int ki, @ForAll @IntRange(max = 30) int n,
            @ForAll @IntRange(min = -1, max = 29) int flip) {
        byte[] k = new byte[40];
        System.arraycopy(a, ai, k, ki, n);
        if (flip >= 0 && flip < n) {
            k[ki + flip] ^= 1 << (flip % 8);
        }
        assertThat(LastString.same(a, ai, k, ki, n)).isEqualTo(Arrays.equals(a, ai, ai + n, k, ki, ki + n))
                .isEqualTo(flip < 0 || flip >= n);
    }
}
