package org.mxguard.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The store file's index against a plain map, through growth and backward-shift removals. */
class EntryNumbersTest {

    @Test
    void agreesWithAHashMapThroughPutsRemovesAndGrowth() {
        EntryNumbers index = new EntryNumbers();
        Map<Long, Long> expected = new HashMap<>();
        Random random = new Random(42);
        for (int i = 0; i < 200_000; i++) {
            // Few distinct hashes, many collisions of the table's low bits: the probing is exercised.
            long hash = EntryNumbers.hash("c:10." + random.nextInt(20_000));
            if (random.nextInt(3) == 0) {
                Long old = expected.remove(hash);
                assertThat(index.remove(hash)).isEqualTo(old == null ? -1 : old);
            } else {
                Long old = expected.put(hash, (long) i);
                assertThat(index.put(hash, i)).isEqualTo(old == null ? -1 : old);
            }
        }
        assertThat(index.size()).isEqualTo(expected.size());
        for (Map.Entry<Long, Long> e : expected.entrySet()) {
            assertThat(index.put(e.getKey(), e.getValue())).isEqualTo(e.getValue());
        }
    }

    @Test
    void aHashOfZeroIsStillAKey() {
        assertThat(EntryNumbers.hash("")).isNotZero();
    }
}
