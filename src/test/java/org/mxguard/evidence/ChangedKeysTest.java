package org.mxguard.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The write-behind hand-off: bounded, counting what it drops, one entry per key however often it changes. */
class ChangedKeysTest {

    @Test
    void aKeyChangedManyTimesWaitsOnce() {
        ChangedKeys keys = new ChangedKeys("test", 10);
        for (int i = 0; i < 1000; i++) {
            assertThat(keys.add("c:192.0.2.1")).isTrue();
        }
        assertThat(keys.size()).isEqualTo(1);
        assertThat(keys.dropped()).isZero();
    }

    @Test
    void pastTheCapacityNewKeysAreDroppedAndCountedButWaitingOnesStillChange() {
        ChangedKeys keys = new ChangedKeys("test", 3);
        assertThat(keys.add("c:192.0.2.1")).isTrue();
        assertThat(keys.add("c:192.0.2.2")).isTrue();
        assertThat(keys.add("c:192.0.2.3")).isTrue();
        assertThat(keys.add("c:192.0.2.4")).isFalse();
        assertThat(keys.add("c:192.0.2.5")).isFalse();
        assertThat(keys.add("c:192.0.2.1")).as("already waiting: its newest value is written").isTrue();
        assertThat(keys.size()).isEqualTo(3);
        assertThat(keys.dropped()).isEqualTo(2);
        assertThat(drain(keys)).containsExactlyInAnyOrder("c:192.0.2.1", "c:192.0.2.2", "c:192.0.2.3");
        assertThat(keys.size()).isZero();
        assertThat(keys.add("c:192.0.2.4")).as("room again once written").isTrue();
        assertThat(keys.dropped()).isEqualTo(2);
    }

    @Test
    void manyThreadsAddingAtOnceKeepTheBoundAndCountEveryDrop() throws Exception {
        int capacity = 1000;
        int threads = 8;
        int perThread = 5000;
        ChangedKeys keys = new ChangedKeys("test", capacity);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> running = new ArrayList<>();
        long[] accepted = new long[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            running.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    if (keys.add("c:" + id + "." + i)) {
                        accepted[id]++;
                    }
                }
            }));
        }
        start.countDown();
        for (Thread t : running) {
            t.join();
        }
        long taken = 0;
        for (long a : accepted) {
            taken += a;
        }
        assertThat(keys.size()).isBetween(capacity, capacity + threads);
        assertThat(taken).isEqualTo(keys.size());
        assertThat(keys.dropped()).isEqualTo((long) threads * perThread - taken);
    }

    private static List<String> drain(ChangedKeys keys) {
        List<String> out = new ArrayList<>();
        Iterator<String> it = keys.drain();
        it.forEachRemaining(out::add);
        return out;
    }
}
