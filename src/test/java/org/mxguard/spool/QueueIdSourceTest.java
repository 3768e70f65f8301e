package org.mxguard.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mxguard.mail.QueueId;

class QueueIdSourceTest {

    /** A clock the test sets by hand. */
    private static final class HandClock extends Clock {
        Instant now;

        HandClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void idsAreThirteenBase32DigitsThatSortByTime() {
        HandClock clock = new HandClock(Instant.parse("2026-11-26T22:00:00Z"));
        QueueIdSource source = new QueueIdSource(clock);
        List<QueueId> ids = new ArrayList<>();
        for (long step : new long[] {0, 1, 31, 32, 1_000_000, 86_400_000_000L}) {
            clock.now = Instant.parse("2026-11-26T22:00:00Z").plus(Duration.ofNanos(step * 1000));
            ids.add(source.next());
        }
        assertThat(ids).allSatisfy(id -> assertThat(id.value()).matches("[0-9A-V]{13}")).isSorted()
                .doesNotHaveDuplicates();
        // 2026-11-26T22:00:00Z is 1795730400000000 us since the epoch: 1J16K89LE00 in base 32, then sequence 00.
        assertThat(ids.getFirst().value()).isEqualTo("1J16K89LE0000");
    }

    @Test
    void aStoppedOrBackwardClockStillGivesIncreasingIds() {
        HandClock clock = new HandClock(Instant.parse("2026-11-26T22:00:00Z"));
        QueueIdSource source = new QueueIdSource(clock);
        List<QueueId> ids = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            ids.add(source.next());
        }
        clock.now = clock.now.minusSeconds(3600);
        for (int i = 0; i < 10; i++) {
            ids.add(source.next());
        }
        assertThat(ids).doesNotHaveDuplicates().isSorted();
    }

    @Test
    void idsAfterARestartSortAfterTheNewestOnDisk() {
        HandClock clock = new HandClock(Instant.parse("2026-11-26T22:00:00Z"));
        QueueId before = new QueueIdSource(clock).next();
        clock.now = clock.now.minusSeconds(60);
        QueueIdSource restarted = new QueueIdSource(clock);
        restarted.notBefore(before);
        assertThat(restarted.next()).isGreaterThan(before);
    }

    @Test
    void idsOfOtherFormsDoNotDisturbTheSequence() {
        HandClock clock = new HandClock(Instant.parse("2026-11-26T22:00:00Z"));
        QueueIdSource source = new QueueIdSource(clock);
        source.notBefore(new QueueId("ZZZZZZZZZZZZZZZZ"));
        source.notBefore(new QueueId("ZZZZZZZZZZZZZ"));
        assertThat(source.next().value()).startsWith("1J");
    }
}
