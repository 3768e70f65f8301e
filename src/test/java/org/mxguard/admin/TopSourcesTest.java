package org.mxguard.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class TopSourcesTest {

    private static final Instant T = Instant.parse("2026-12-06T06:00:00Z");

    @Test
    void countsTempfailsAndRejectsPerSourceMostFirst() {
        TopSources top = new TopSources(8);
        top.add("198.51.100.0/24", true, T);
        top.add("198.51.100.0/24", true, T.plusSeconds(1));
        top.add("198.51.100.0/24", false, T.plusSeconds(2));
        top.add("203.0.113.0/24", true, T);
        assertThat(top.top(10)).containsExactly(
                new TopSources.Entry("198.51.100.0/24", 3, 2, 1, 0, T.plusSeconds(2)),
                new TopSources.Entry("203.0.113.0/24", 1, 1, 0, 0, T));
        assertThat(top.top(1)).hasSize(1);
    }

    @Test
    void aNewSourceAtAFullTableTakesTheLeastCountedPlace() {
        TopSources top = new TopSources(2);
        for (int i = 0; i < 5; i++) {
            top.add("heavy", true, T);
        }
        top.add("light", true, T);
        top.add("new", false, T);
        assertThat(top.top(10)).containsExactly(new TopSources.Entry("heavy", 5, 5, 0, 0, T),
                new TopSources.Entry("new", 2, 0, 1, 1, T));
    }

    /** Within the capacity the counts are exact: the table against a plain map. */
    @Property
    void exactWhileTheSourcesFit(@ForAll @Size(max = 300) List<@IntRange(max = 15) Integer> refusals) {
        TopSources top = new TopSources(16);
        Map<String, Long> truth = new HashMap<>();
        for (int r : refusals) {
            top.add("s" + r, r % 2 == 0, T);
            truth.merge("s" + r, 1L, Long::sum);
        }
        List<TopSources.Entry> all = top.top(16);
        assertThat(all).hasSize(truth.size());
        for (TopSources.Entry e : all) {
            assertThat(e.caught()).isEqualTo(truth.get(e.source()));
            assertThat(e.error()).isZero();
        }
    }

    /**
     * Beyond it, Space-Saving's guarantees: no count below the truth, none more than its error
     * above, and every source with more than total/capacity refusals kept.
     */
    @Property
    void boundedErrorBeyondTheCapacity(@ForAll @Size(max = 400) List<@IntRange(max = 40) Integer> refusals) {
        int capacity = 8;
        TopSources top = new TopSources(capacity);
        Map<String, Long> truth = new HashMap<>();
        for (int r : refusals) {
            // a skewed mix: low numbers come often
            String source = "s" + (r % 3 == 0 ? r % 4 : r);
            top.add(source, true, T);
            truth.merge(source, 1L, Long::sum);
        }
        List<TopSources.Entry> kept = top.top(capacity);
        assertThat(kept.size()).isLessThanOrEqualTo(capacity);
        for (TopSources.Entry e : kept) {
            long real = truth.get(e.source());
            assertThat(e.caught()).isGreaterThanOrEqualTo(real);
            assertThat(e.caught() - e.error()).isLessThanOrEqualTo(real);
            assertThat(e.tempfailed() + e.rejected()).isEqualTo(e.caught() - e.error());
        }
        truth.forEach((source, n) -> {
            if (n > refusals.size() / capacity) {
                assertThat(kept).extracting(TopSources.Entry::source).contains(source);
            }
        });
    }
}
