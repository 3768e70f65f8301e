package org.mxguard.loganalysis;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * The charts' time axis: the bucket (ten minutes, hour, day, week) chosen from the span of the
 * log, so that a chart has between a few and about 180 bars whether the log covers an hour,
 * yesterday or a year, and every bucket from the first to the last, empty ones included, so that
 * the bars keep the time's proportions. Buckets begin on the hour, at midnight, on Monday, in the
 * report's zone.
 */
record ChartBuckets(Unit unit, List<Bucket> buckets) {

    /** A bucket's width, by the longest span it is chosen for. */
    enum Unit {
        TEN_MINUTES("10 minutes", "yyyy-MM-dd HH:mm", 6 * 3600L),
        HOUR("hour", "yyyy-MM-dd HH:00", 3 * 86400L),
        DAY("day", "yyyy-MM-dd", 183 * 86400L),
        WEEK("week", "'week of' yyyy-MM-dd", Long.MAX_VALUE);

        final String title;
        final DateTimeFormatter label;
        final long maxSpan;

        Unit(String title, String pattern, long maxSpan) {
            this.title = title;
            this.label = DateTimeFormatter.ofPattern(pattern, java.util.Locale.ROOT);
            this.maxSpan = maxSpan;
        }

        ZonedDateTime start(ZonedDateTime t) {
            return switch (this) {
                case TEN_MINUTES -> t.truncatedTo(ChronoUnit.HOURS).plusMinutes(t.getMinute() / 10 * 10);
                case HOUR -> t.truncatedTo(ChronoUnit.HOURS);
                case DAY -> t.truncatedTo(ChronoUnit.DAYS);
                case WEEK -> t.truncatedTo(ChronoUnit.DAYS).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            };
        }

        ZonedDateTime next(ZonedDateTime start) {
            return switch (this) {
                case TEN_MINUTES -> start.plusMinutes(10);
                case HOUR -> start.plusHours(1);
                case DAY -> start.plusDays(1);
                case WEEK -> start.plusWeeks(1);
            };
        }
    }

    /** One bar: its start, label, messages and null-sender messages. */
    record Bucket(LocalDateTime start, String label, long messages, long nullMessages) {

        double nullShare() {
            return messages == 0 ? 0 : (double) nullMessages / messages;
        }
    }

    /**
     * The buckets for counts per {@link TimeCounts#SLOT} (by the slot's start, epoch seconds); none
     * when there are no counts.
     */
    static ChartBuckets of(SortedMap<Long, long[]> slots, ZoneId zone) {
        if (slots.isEmpty()) {
            return new ChartBuckets(Unit.HOUR, List.of());
        }
        long first = slots.firstKey();
        long last = slots.lastKey() + TimeCounts.SLOT;
        Unit unit = Unit.WEEK;
        for (Unit u : Unit.values()) {
            if (last - first <= u.maxSpan) {
                unit = u;
                break;
            }
        }
        List<Bucket> out = new ArrayList<>();
        ZonedDateTime start = unit.start(Instant.ofEpochSecond(first).atZone(zone));
        var it = slots.entrySet().iterator();
        Map.Entry<Long, long[]> slot = it.next();
        while (slot != null) {
            ZonedDateTime end = unit.next(start);
            long endSecond = end.toEpochSecond();
            long messages = 0;
            long nulls = 0;
            while (slot != null && slot.getKey() < endSecond) {
                messages += slot.getValue()[0];
                nulls += slot.getValue()[1];
                slot = it.hasNext() ? it.next() : null;
            }
            out.add(new Bucket(start.toLocalDateTime(), unit.label.format(start), messages, nulls));
            start = end;
        }
        return new ChartBuckets(unit, List.copyOf(out));
    }
}
