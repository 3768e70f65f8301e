package org.mxguard.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FreeSpaceTest {

    @Test
    void enospcFromAWriteBecomesSpoolFull() {
        IOException write = new IOException("No space left on device");
        assertThat(FreeSpace.classify(write)).isInstanceOf(SpoolFullException.class).hasCause(write);
        IOException move = new FileSystemException("/spool/incoming/X", "/spool/queue/X", "No space left on device");
        assertThat(FreeSpace.classify(move)).isInstanceOf(SpoolFullException.class);
        assertThat(FreeSpace.classify(new IOException("Disk quota exceeded"))).isInstanceOf(SpoolFullException.class);
    }

    @Test
    void otherFailuresStayWhatTheyAre() {
        IOException eio = new IOException("Input/output error");
        assertThat(FreeSpace.classify(eio)).isSameAs(eio);
        IOException noMessage = new IOException();
        assertThat(FreeSpace.classify(noMessage)).isSameAs(noMessage);
    }

    @Test
    void belowTheMinimumIsFull() throws IOException {
        new FreeSpace(() -> 1000, 1000).require("begin");
        assertThatThrownBy(() -> new FreeSpace(() -> 999, 1000).require("begin"))
                .isInstanceOf(SpoolFullException.class)
                .hasMessage("spool file system has 999 usable bytes, below the minimum of 1000 (begin)");
    }

    @Test
    void aReadingFarAboveTheMinimumIsReusedBrieflyWhileNearTheMinimumEveryCheckAsks() throws IOException {
        AtomicInteger asked = new AtomicInteger();
        AtomicLong free = new AtomicLong(10L << 30);
        AtomicLong now = new AtomicLong();
        FreeSpace space = new FreeSpace(() -> {
            asked.incrementAndGet();
            return free.get();
        }, 1L << 20, now::get);

        space.require("begin");
        now.addAndGet(FreeSpace.REUSE_NANOS / 2);
        space.require("commit");
        assertThat(asked).hasValue(1);

        now.addAndGet(FreeSpace.REUSE_NANOS);
        free.set((1L << 20) + FreeSpace.HEADROOM / 2);
        space.require("begin");
        space.require("commit");
        assertThat(asked).hasValue(3);

        free.set((1L << 20) - 1);
        assertThatThrownBy(() -> space.require("begin")).isInstanceOf(SpoolFullException.class);
    }
}
