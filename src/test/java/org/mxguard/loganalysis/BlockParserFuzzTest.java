package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Differential target: any bytes give the same events and counts on the byte fast path
 * ({@link BlockParser}) as on the string path ({@link StringPath}), and neither throws. The fast
 * path mirrors the string path by hand, so a difference is a bug in one of them. Without
 * JAZZER_FUZZ=1 this replays the seed corpus only (quick); with it, it fuzzes.
 */
class BlockParserFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void bytePathAgreesWithStringPath(byte[] input) {
        ParseCounters fastCounts = new ParseCounters();
        ParseCounters slowCounts = new ParseCounters();
        List<LogEvent> fast = new ArrayList<>();
        List<LogEvent> slow = new ArrayList<>();
        new BlockParser(ZoneOffset.UTC, 2026, 12, fastCounts).parse(input, input.length, new EventList(fast));
        StringPath.parse(input, input.length, ZoneOffset.UTC, 2026, 12, slowCounts, slow);
        // Plain comparisons first: AssertJ only to describe a difference, at the fuzzer's full speed.
        if (!fast.equals(slow)) {
            assertThat(fast).containsExactlyElementsOf(slow);
        }
        assertThat(fastCounts.lines).isEqualTo(slowCounts.lines);
        assertThat(fastCounts.parsed).isEqualTo(slowCounts.parsed);
        if (!fastCounts.skippedByKind().equals(slowCounts.skippedByKind())) {
            assertThat(fastCounts.skippedByKind()).isEqualTo(slowCounts.skippedByKind());
        }
        // The string path counts a line that broke a parser as skipped "unparsable": there must be none.
        assertThat(slowCounts.skippedByKind().keySet()).noneMatch(kind -> kind.startsWith("unparsable"));
    }
}
