package org.mxguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Hits are buffered per stripe and folded in batches; every read must still be exact. */
class RuleCountersTest {

    private static final int RULES = 10;

    private static RuleCounters counters() {
        return new RuleCounters(new long[RULES * RuleSet.STRIDE], RULES);
    }

    @Test
    void aReadSeesEveryHitBeforeItOnTheSameThread() {
        RuleCounters c = counters();
        c.hit(3, 1_000);
        assertThat(c.hits(3)).isEqualTo(1);
        assertThat(c.lastHitMillis(3)).isEqualTo(1_000);
        // Across several full batches and a partial one.
        for (int i = 0; i < RuleCounters.BATCH * 3 + 5; i++) {
            c.hit(3, 2_000 + i);
            c.hit(7, 5_000);
        }
        assertThat(c.hits(3)).isEqualTo(RuleCounters.BATCH * 3 + 6);
        assertThat(c.hits(7)).isEqualTo(RuleCounters.BATCH * 3 + 5);
        assertThat(c.lastHitMillis(3)).isEqualTo(2_000 + RuleCounters.BATCH * 3 + 4);
        assertThat(c.hits(0)).isZero();
        assertThat(c.lastHitMillis(0)).isZero();
    }

    @Test
    void theLatestTimeWinsWhateverOrderTheHitsAreFolded() {
        RuleCounters c = counters();
        c.hit(1, 9_000);
        c.hit(1, 4_000);
        assertThat(c.lastHitMillis(1)).isEqualTo(9_000);
        assertThat(c.hits(1)).isEqualTo(2);
    }

    @Test
    void hitsFromManyThreadsAreCountedExactly() throws Exception {
        RuleCounters c = counters();
        int threads = 8;
        int perThread = 20_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread.Builder builder = t % 2 == 0 ? Thread.ofPlatform() : Thread.ofVirtual();
            started.add(builder.start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    c.hit(i % RULES, i);
                }
            }));
        }
        start.countDown();
        for (Thread t : started) {
            t.join();
        }
        long total = 0;
        for (int r = 0; r < RULES; r++) {
            assertThat(c.hits(r)).isEqualTo((long) threads * perThread / RULES);
            total += c.hits(r);
        }
        assertThat(total).isEqualTo((long) threads * perThread);
        assertThat(c.lastHitMillis(RULES - 1)).isEqualTo(perThread - 1);
    }

    @Test
    void aRuleOutsideTheSetIsAnError() {
        RuleCounters c = counters();
        assertThatThrownBy(() -> c.hits(RULES)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("rule 10 of 10");
        assertThatThrownBy(() -> c.lastHitMillis(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
