package org.mxguard.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.mxguard.delivery.MutableClock;

class MinuteHistoryTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T06:00:30Z"));

    @Test
    void countsFallInTheMinuteTheyHappenedAndQuietMinutesAreZero() {
        MinuteHistory history = new MinuteHistory(clock, 1440);
        history.add(MinuteHistory.Series.ACCEPTED);
        history.add(MinuteHistory.Series.ACCEPTED);
        history.queue(2);
        clock.advance(Duration.ofMinutes(3));
        history.add(MinuteHistory.Series.TEMPFAILED);
        history.add(MinuteHistory.Series.RELAYED);
        history.queue(1);
        history.queue(0);

        MinuteHistory.Snapshot s = history.snapshot();
        assertThat(s.start()).isEqualTo(Instant.parse("2026-12-06T06:00:00Z"));
        assertThat(s.intervalSeconds()).isEqualTo(60);
        assertThat(s.accepted()).containsExactly(2, 0, 0, 0);
        assertThat(s.tempfailed()).containsExactly(0, 0, 0, 1);
        assertThat(s.relayed()).containsExactly(0, 0, 0, 1);
        assertThat(s.queue()).containsExactly(2L, null, null, 0L);
    }

    @Test
    void keepsTheLastDayOnlyAndForgetsWhatTheRingCameRoundTo() {
        MinuteHistory history = new MinuteHistory(clock, 1440);
        history.add(MinuteHistory.Series.ACCEPTED);
        clock.advance(Duration.ofHours(23).plusMinutes(59));
        history.add(MinuteHistory.Series.RELAYED);
        MinuteHistory.Snapshot day = history.snapshot();
        assertThat(day.accepted()).hasSize(1440).startsWith(1);
        assertThat(day.relayed()).endsWith(1);

        clock.advance(Duration.ofMinutes(1));
        history.add(MinuteHistory.Series.TEMPFAILED);
        MinuteHistory.Snapshot next = history.snapshot();
        assertThat(next.start()).isEqualTo(Instant.parse("2026-12-06T06:01:00Z"));
        assertThat(next.accepted()).hasSize(1440).containsOnly(0);
        assertThat(next.relayed()[1438]).isEqualTo(1);
        assertThat(next.tempfailed()[1439]).isEqualTo(1);
    }

    @Test
    void aSlotLeftUntouchedForDaysReadsAsEmpty() {
        MinuteHistory history = new MinuteHistory(clock, 60);
        history.add(MinuteHistory.Series.ACCEPTED);
        history.queue(5);
        // exactly three rings later the slot's index comes round again, holding an old minute
        clock.advance(Duration.ofMinutes(180));
        MinuteHistory.Snapshot s = history.snapshot();
        assertThat(s.accepted()).hasSize(60).containsOnly(0);
        assertThat(s.queue()).containsOnlyNulls();
    }

    @Test
    void refusesAnEmptyRing() {
        assertThatThrownBy(() -> new MinuteHistory(clock, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
