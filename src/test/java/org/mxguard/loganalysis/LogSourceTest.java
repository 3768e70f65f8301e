package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A plain log is read through a memory mapping, a window at a time: every byte once, in order. */
class LogSourceTest {

    @TempDir
    Path dir;

    @Test
    void readsEveryByteInOrderAcrossWindowsWhateverTheReadSizes() throws IOException {
        byte[] content = new byte[100_003];
        new SplittableRandom(5).nextBytes(content);
        Path file = dir.resolve("mail.log");
        Files.write(file, content);
        SplittableRandom sizes = new SplittableRandom(9);
        for (long window : new long[] {1, 4096, 10_000, 100_003, 1 << 20}) {
            AtomicLong counted = new AtomicLong();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream in = new LogSource.MappedStream(file, counted, window)) {
                byte[] buf = new byte[70_000];
                int n;
                while ((n = in.read(buf, 0, 1 + sizes.nextInt(buf.length))) > 0) {
                    out.write(buf, 0, n);
                }
                assertThat(in.read()).isEqualTo(-1);
            }
            assertThat(out.toByteArray()).as("window " + window).isEqualTo(content);
            assertThat(counted.get()).isEqualTo(content.length);
        }
    }

    @Test
    void anEmptyFileEndsAtOnce() throws IOException {
        Path file = Files.createFile(dir.resolve("empty.log"));
        try (InputStream in = LogSource.of(file).open(new AtomicLong())) {
            assertThat(in.read(new byte[10], 0, 10)).isEqualTo(-1);
        }
    }

    @Test
    void aFileCutShorterWhileReadIsAnErrorNotACrash() throws IOException {
        Path file = dir.resolve("mail.log");
        Files.write(file, new byte[64 * 1024]);
        try (InputStream in = new LogSource.MappedStream(file, new AtomicLong(), 16 * 1024)) {
            assertThat(in.read(new byte[1024], 0, 1024)).isEqualTo(1024);
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                f.setLength(0);
            }
            byte[] buf = new byte[64 * 1024];
            assertThatThrownBy(() -> {
                while (in.read(buf, 0, buf.length) > 0) {
                    // read on until the cut shows
                }
            }).isInstanceOf(IOException.class);
        }
    }
}
