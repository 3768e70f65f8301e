package org.mxguard.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class DirectorySyncTest {

    /** An fsync whose first call blocks until released, so callers pile up behind it. */
    private static final class GatedFsync implements DirectorySync.Fsync {
        final CountDownLatch firstStarted = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger calls = new AtomicInteger();
        volatile int failOnCall = -1;

        @Override
        public void run() throws IOException {
            int call = calls.incrementAndGet();
            if (call == 1) {
                firstStarted.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            if (call == failOnCall) {
                throw new IOException("Input/output error");
            }
        }
    }

    private static void awaitWaiting(DirectorySync sync, int count) {
        while (sync.waiting() < count) {
            Thread.onSpinWait();
        }
    }

    @Test
    void aLoneCallerPaysOneFsync() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        DirectorySync sync = new DirectorySync(calls::incrementAndGet);
        sync.sync();
        sync.sync();
        assertThat(calls).hasValue(2);
    }

    @Test
    void callersArrivingDuringAnFsyncShareTheNextOne() throws Exception {
        GatedFsync fsync = new GatedFsync();
        DirectorySync sync = new DirectorySync(fsync);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> leader = pool.submit(() -> {
                sync.sync();
                return null;
            });
            fsync.firstStarted.await();
            List<Future<?>> followers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                followers.add(pool.submit(() -> {
                    sync.sync();
                    return null;
                }));
            }
            awaitWaiting(sync, 20);
            fsync.release.countDown();
            leader.get();
            for (Future<?> f : followers) {
                f.get();
            }
        }
        assertThat(fsync.calls).hasValue(2);
        assertThat(sync.fsyncs()).isEqualTo(2);
    }

    @Test
    void aFailedFsyncFailsEveryMemberOfItsRoundAndOnlyThem() throws Exception {
        GatedFsync fsync = new GatedFsync();
        fsync.failOnCall = 2;
        DirectorySync sync = new DirectorySync(fsync);
        List<Future<?>> followers = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> leader = pool.submit(() -> {
                sync.sync();
                return null;
            });
            fsync.firstStarted.await();
            for (int i = 0; i < 5; i++) {
                followers.add(pool.submit(() -> {
                    sync.sync();
                    return null;
                }));
            }
            awaitWaiting(sync, 5);
            fsync.release.countDown();
            leader.get();
            for (Future<?> f : followers) {
                assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(IOException.class).hasMessageContaining("batch of 5")
                        .hasMessageContaining("Input/output error");
            }
        }
        sync.sync();
        assertThat(fsync.calls).hasValue(3);
    }
}
