package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ChartBucketsTest {

    private static long at(String instant) {
        return Instant.parse(instant).getEpochSecond();
    }

    private static TreeMap<Long, long[]> slots(long... timesAndNull) {
        TimeCounts counts = new TimeCounts();
        for (int i = 0; i < timesAndNull.length; i += 2) {
            counts.count(timesAndNull[i], timesAndNull[i + 1] == 1);
        }
        return counts.bySlot();
    }

    @Test
    void anHourOfLogIsChartedByTenMinutesEveryBucketIncluded() {
        ChartBuckets c = ChartBuckets.of(slots(at("2026-11-03T10:02:00Z"), 1, at("2026-11-03T10:04:00Z"), 0,
                at("2026-11-03T10:58:59Z"), 1), ZoneOffset.UTC);
        assertThat(c.unit()).isEqualTo(ChartBuckets.Unit.TEN_MINUTES);
        assertThat(c.buckets()).extracting(ChartBuckets.Bucket::label).containsExactly("2026-11-03 10:00",
                "2026-11-03 10:10", "2026-11-03 10:20", "2026-11-03 10:30", "2026-11-03 10:40", "2026-11-03 10:50");
        assertThat(c.buckets()).extracting(ChartBuckets.Bucket::messages).containsExactly(2L, 0L, 0L, 0L, 0L, 1L);
        assertThat(c.buckets().getFirst().nullShare()).isEqualTo(0.5);
    }

    @Test
    void aDayIsChartedByHourAYearByWeekFromMonday() {
        ChartBuckets day = ChartBuckets.of(slots(at("2026-11-03T00:00:00Z"), 0, at("2026-11-03T23:59:00Z"), 1),
                ZoneOffset.UTC);
        assertThat(day.unit()).isEqualTo(ChartBuckets.Unit.HOUR);
        assertThat(day.buckets()).hasSize(24);
        ChartBuckets twoMonths = ChartBuckets.of(slots(at("2026-10-01T00:00:00Z"), 0, at("2026-11-29T12:00:00Z"), 1),
                ZoneOffset.UTC);
        assertThat(twoMonths.unit()).isEqualTo(ChartBuckets.Unit.DAY);
        assertThat(twoMonths.buckets()).hasSize(60);
        // 2026-01-01 is a Thursday: the first week starts on Monday 2025-12-29.
        ChartBuckets year = ChartBuckets.of(slots(at("2026-01-01T08:00:00Z"), 0, at("2026-12-31T20:00:00Z"), 1),
                ZoneOffset.UTC);
        assertThat(year.unit()).isEqualTo(ChartBuckets.Unit.WEEK);
        assertThat(year.buckets().getFirst().label()).isEqualTo("week of 2025-12-29");
        assertThat(year.buckets()).hasSize(53).extracting(ChartBuckets.Bucket::messages).containsOnly(0L, 1L);
    }

    @Test
    void bucketsBeginInTheReportsZone() {
        ChartBuckets c = ChartBuckets.of(slots(at("2026-11-02T23:30:00Z"), 0, at("2026-11-04T01:00:00Z"), 0),
                ZoneId.of("Europe/Stockholm"));
        assertThat(c.unit()).isEqualTo(ChartBuckets.Unit.HOUR);
        assertThat(c.buckets().getFirst().label()).isEqualTo("2026-11-03 00:00");
        assertThat(c.buckets().getLast().label()).isEqualTo("2026-11-04 02:00");
    }

    @Test
    void noMessagesNoBuckets() {
        assertThat(ChartBuckets.of(new TreeMap<>(), ZoneOffset.UTC).buckets()).isEmpty();
    }

    @Test
    void countsMergeAcrossTablesThatGrew() {
        TimeCounts a = new TimeCounts();
        TimeCounts b = new TimeCounts();
        for (int i = 0; i < 1000; i++) {
            a.count(i * 600L, i % 2 == 0);
            b.count(i * 600L + 1, false);
        }
        a.add(b);
        assertThat(a.bySlot()).hasSize(1000).allSatisfy((slot, c) -> assertThat(c[0]).isEqualTo(2));
        assertThat(a.byDay().values().stream().mapToLong(c -> c[1]).sum()).isEqualTo(500);
    }
}
