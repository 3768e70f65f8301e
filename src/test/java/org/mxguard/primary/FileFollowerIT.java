package org.mxguard.primary;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real file, written line by line while it is rotated, followed by a polling thread. */
class FileFollowerIT {

    @TempDir
    Path dir;

    private final List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());

    /** Writes with O_APPEND, as syslog daemons do (copytruncate relies on it). */
    private static OutputStream append(Path file) throws IOException {
        return new FileOutputStream(file.toFile(), true);
    }

    private static String line(int i) {
        return "Dec  6 06:00:00 mx1 postfix/smtpd[1]: connect from host-" + i + ".example[192.0.2." + i % 250 + "]";
    }

    private static List<String> expected(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(line(i));
        }
        return out;
    }

    private static void await(BooleanSupplier condition, java.util.function.Supplier<String> what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what.get());
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    private FileFollower follower(Path log, boolean fromStart) {
        return new FileFollower(log, fromStart, Duration.ofMillis(1), Clock.systemUTC(), seen::add);
    }

    /**
     * Writes numbered lines to the log until stopped, with O_APPEND as syslog daemons write (which
     * copytruncate relies on), reopening the file by name when asked (rsyslog after its HUP).
     */
    private static final class Writer implements AutoCloseable {
        private final Path log;
        private final Thread thread;
        private volatile boolean stop;
        private volatile boolean reopen;
        private volatile int written;

        Writer(Path log) {
            this.log = log;
            this.thread = Thread.ofPlatform().name("log-writer").start(this::run);
        }

        private void run() {
            try {
                OutputStream out = append(log);
                // Bounded, and paced a little so that a busy machine still interleaves it with the reader.
                while (!stop && written < 50_000) {
                    if (reopen) {
                        out.close();
                        out = append(log);
                        reopen = false;
                    }
                    synchronized (this) {
                        out.write((line(written) + "\n").getBytes(StandardCharsets.UTF_8));
                        written++;
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(5_000);
                }
                out.close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join();
        }
    }

    private void rotateWhileWriting(Path log, FileFollower follower, java.util.function.BiConsumer<Writer, Integer> rotate)
            throws Exception {
        follower.poll();
        follower.start();
        int total;
        try (Writer writer = new Writer(log)) {
            for (int rotation = 1; rotation <= 3; rotation++) {
                int target = rotation * 500;
                await(() -> writer.written >= target, () -> "the writer");
                rotate.accept(writer, rotation);
                long polls = follower.polls();
                await(() -> follower.polls() > polls + 2, () -> "the follower's polls after a rotation");
            }
            await(() -> seen.size() > 2000, () -> "lines after the rotations");
            writer.close();
            total = writer.written;
        }
        await(() -> seen.size() >= total, () -> total + " lines, seen " + seen.size());
        long polls = follower.polls();
        await(() -> follower.polls() > polls + 3, () -> "more polls");
        synchronized (seen) {
            assertThat(seen).hasSize(total);
            assertThat(seen).containsExactlyElementsOf(expected(0, total));
        }
    }

    @Test
    void renameRotationWhileWritingLosesAndRepeatsNothing() throws Exception {
        Path log = dir.resolve("mail.log");
        Files.writeString(log, "Dec  6 05:00:00 mx1 postfix/smtpd[1]: before the follower started\n");
        try (FileFollower follower = follower(log, false)) {
            rotateWhileWriting(log, follower, (writer, rotation) -> {
                try {
                    // logrotate's rename; the writer goes on in the old file until it reopens.
                    Files.move(log, dir.resolve("mail.log." + rotation), StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                writer.reopen = true;
            });
        }
    }

    @Test
    void copytruncateWhileWritingLosesAndRepeatsNothing() throws Exception {
        Path log = dir.resolve("mail.log");
        Files.writeString(log, "");
        try (FileFollower follower = follower(log, false)) {
            rotateWhileWriting(log, follower, (writer, rotation) -> {
                // logrotate's copytruncate. What the writer adds between the copy and the truncation
                // is lost by logrotate itself, whoever reads: the writer waits through it here.
                synchronized (writer) {
                    try {
                        Files.copy(log, dir.resolve("mail.log." + rotation), StandardCopyOption.REPLACE_EXISTING);
                        try (FileChannel truncate = FileChannel.open(log, StandardOpenOption.WRITE)) {
                            truncate.truncate(0);
                        }
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
        }
    }

    @Test
    void truncationFollowedByMoreTextThanWasReadIsNoticed() throws Exception {
        Path log = dir.resolve("mail.log");
        Files.writeString(log, "");
        try (FileFollower follower = follower(log, false)) {
            follower.poll();
            Files.write(log, List.of(line(0), line(1)), StandardOpenOption.APPEND);
            follower.poll();
            Files.copy(log, dir.resolve("mail.log.1"));
            Files.write(log, expected(2, 40));
            follower.poll();
        }
        assertThat(seen).containsExactlyElementsOf(expected(0, 40));
    }

    @Test
    void aFileMissingForAWhileIsPickedUpWhenItComesBack() throws Exception {
        Path log = dir.resolve("mail.log");
        Files.writeString(log, "");
        try (FileFollower follower = follower(log, false)) {
            follower.poll();
            follower.start();
            OutputStream old = append(log);
            old.write((line(0) + "\n").getBytes(StandardCharsets.UTF_8));
            Files.move(log, dir.resolve("mail.log.1"));
            // The writer goes on in the renamed file until it reopens.
            old.write((line(1) + "\n").getBytes(StandardCharsets.UTF_8));
            old.close();
            long polls = follower.polls();
            await(() -> follower.polls() > polls + 5, () -> "polls while the file is missing");
            assertThat(seen).containsExactlyElementsOf(expected(0, 2));
            Files.write(log, expected(2, 10));
            await(() -> seen.size() >= 10, () -> "the lines of the new file");
        }
        assertThat(seen).containsExactlyElementsOf(expected(0, 10));
    }

    @Test
    void startsAtTheEndUnlessToldToReadTheWholeFile() throws Exception {
        Path log = dir.resolve("mail.log");
        Files.writeString(log, line(0) + "\n" + line(1) + "\nhalf a li");
        try (FileFollower follower = follower(log, false)) {
            follower.poll();
            Files.writeString(log, "ne\n" + line(2) + "\n", StandardOpenOption.APPEND);
            follower.poll();
        }
        // The line being written when the follower started is taken whole, from its start.
        assertThat(seen).containsExactly("half a line", line(2));
        seen.clear();
        try (FileFollower follower = follower(log, true)) {
            follower.poll();
        }
        assertThat(seen).containsExactly(line(0), line(1), "half a line", line(2));
    }

    @Test
    void aFileThatDoesNotExistYetIsReadFromItsStartWhenItAppears() throws Exception {
        Path log = dir.resolve("mail.log");
        try (FileFollower follower = follower(log, false)) {
            follower.poll();
            Files.write(log, expected(0, 3));
            follower.poll();
        }
        assertThat(seen).containsExactlyElementsOf(expected(0, 3));
    }
}
