package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A score's points and the words for them, which are made only when read. */
class ScoreTest {

    @Test
    void aDialUpClientThatNeverTriedThePrimary() {
        Score s = Score.of(57, 57, 1.0, 0, 0, true, 0, 1);
        assertThat(s.value()).isEqualTo(88);
        assertThat(s.parts()).containsExactly("null sender in 57 of 57 transactions (+35)", "dial-up style name (+25)",
                "57 null-sender transactions (+13)", "never contacted the primary MX (+15)");
    }

    @Test
    void aGroupOfClientsSomeOfWhichTriedThePrimary() {
        Score s = Score.of(100, 200, 0.5, 0.25, 20, true, 2, 4);
        assertThat(s.value()).isEqualTo(57);
        assertThat(s.parts()).containsExactly("null sender in 100 of 200 transactions (+18)",
                "50% of the clients have dial-up style names (+13)", "25% of the clients have no reverse DNS name (+4)",
                "100 null-sender transactions (+15)", "refused 20 of 200 (+1)",
                "2 contacted the primary MX: likely legitimate (+0)", "4 distinct clients (+6)");
        assertThat(s.parts()).isSameAs(s.parts());
    }

    @Test
    void theValueStopsAtAHundredWhileThePartsKeepTheirPoints() {
        Score s = Score.of(5000, 5000, 1, 1, 5000, true, 0, 10);
        assertThat(s.value()).isEqualTo(100);
        assertThat(s.parts()).hasSize(7).contains("10 distinct clients (+10)", "refused 5000 of 5000 (+10)");
    }

    @Test
    void aScoreGivenAsItIsKeepsItsParts() {
        Score s = new Score(87, java.util.List.of("null sender in 9 of 9 transactions (+35)"));
        assertThat(s.value()).isEqualTo(87);
        assertThat(s.parts()).containsExactly("null sender in 9 of 9 transactions (+35)");
        assertThat(s).isEqualTo(new Score(87, java.util.List.of("null sender in 9 of 9 transactions (+35)")));
    }
}
