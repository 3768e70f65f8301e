package org.mxguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mxguard.mail.Domain;
import org.mxguard.mail.QueueId;

class DestinationSlotsTest {

    private static final Domain SLOW = Domain.parse("slow.test");
    private static final Domain OTHER = Domain.parse("other.test");

    @Test
    void aDestinationAtItsLimitPutsTheMessageInLineAndItsNextReleaseHandsItBack() {
        DestinationSlots slots = new DestinationSlots(2);
        assertThat(slots.take(List.of(SLOW), id(1))).isTrue();
        assertThat(slots.take(List.of(SLOW), id(2))).isTrue();
        assertThat(slots.take(List.of(SLOW), id(3))).as("third to a destination limited to 2").isFalse();
        assertThat(slots.take(List.of(SLOW), id(4))).isFalse();
        assertThat(slots.take(List.of(OTHER), id(5))).as("another destination is not held up").isTrue();
        assertThat(slots.waiting()).isEqualTo(2);

        assertThat(slots.release(List.of(SLOW))).containsExactly(id(3));
        assertThat(slots.take(List.of(SLOW), id(3))).isTrue();
        assertThat(slots.release(List.of(SLOW))).containsExactly(id(4));
        assertThat(slots.release(List.of(OTHER))).isEmpty();
        assertThat(slots.waiting()).isZero();
    }

    @Test
    void aMessageForTwoDestinationsTakesBothSlotsOrNone() {
        DestinationSlots slots = new DestinationSlots(1);
        assertThat(slots.take(List.of(SLOW), id(1))).isTrue();
        assertThat(slots.take(List.of(OTHER, SLOW), id(2))).isFalse();
        assertThat(slots.take(List.of(OTHER), id(3))).as("the refused message took no slot at other.test").isTrue();
        assertThat(slots.release(List.of(SLOW))).containsExactly(id(2));
    }

    private static QueueId id(int n) {
        return new QueueId(String.format("%012X", n));
    }
}
