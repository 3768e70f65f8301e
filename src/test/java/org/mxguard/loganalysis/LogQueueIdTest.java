package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** Queue ids packed into two longs come back as they were, so two ids pack alike only when equal. */
class LogQueueIdTest {

    @Property
    void everyIdOfUpToTwentyLettersAndDigitsComesBack(
            @ForAll @AlphaChars @NumericChars @StringLength(min = 1, max = 20) String id) {
        assertThat(LogQueueId.packs(id)).isTrue();
        assertThat(LogQueueId.unpack(LogQueueId.high(id), LogQueueId.low(id))).isEqualTo(id);
    }

    @Test
    void theUsualIdsComeBack() {
        for (String id : new String[] {"2B9773E900", "4LgXl82Gwvz1abcD", "rA37ZTSC026254", "0", "00000", "ZZZZZZZZZZz",
            "0000000000000000000z"}) {
            assertThat(LogQueueId.unpack(LogQueueId.high(id), LogQueueId.low(id))).isEqualTo(id);
        }
        // Leading zeros are characters, not padding.
        assertThat(LogQueueId.high("0A")).isNotEqualTo(LogQueueId.high("A"));
    }

    @Test
    void idsThatDoNotPackAreToldApart() {
        assertThat(LogQueueId.packs(null)).isFalse();
        assertThat(LogQueueId.packs("")).isFalse();
        assertThat(LogQueueId.packs("AB-DE")).isFalse();
        assertThat(LogQueueId.packs("ABCDEFGHIJKLMNOPQRSTU")).isFalse();
        assertThat(LogQueueId.packs("ABC\u00e9D")).isFalse();
        assertThat(LogQueueId.packs("ABC\u0141D")).isFalse();
    }
}
