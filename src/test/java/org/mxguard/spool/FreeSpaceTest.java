package org.mxguard.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileSystemException;
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
}
