package org.mxguard.primary;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HysteresisTest {

    private static Hysteresis run(String probes) {
        Hysteresis h = Hysteresis.INITIAL;
        for (char c : probes.toCharArray()) {
            h = h.next(c == '+', 3, 2);
        }
        return h;
    }

    @Test
    void theFirstProbeDecides() {
        assertThat(run("+").state()).isEqualTo(Hysteresis.State.UP);
        assertThat(run("-").state()).isEqualTo(Hysteresis.State.DOWN);
    }

    @Test
    void downOnlyAfterFailuresInARow() {
        assertThat(run("+--").state()).isEqualTo(Hysteresis.State.UP);
        assertThat(run("+--+--").state()).isEqualTo(Hysteresis.State.UP);
        assertThat(run("+---").state()).isEqualTo(Hysteresis.State.DOWN);
    }

    @Test
    void upOnlyAfterAnswersInARow() {
        assertThat(run("-+").state()).isEqualTo(Hysteresis.State.DOWN);
        assertThat(run("-+-+").state()).isEqualTo(Hysteresis.State.DOWN);
        assertThat(run("-++").state()).isEqualTo(Hysteresis.State.UP);
    }
}
