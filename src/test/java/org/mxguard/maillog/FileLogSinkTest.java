package org.mxguard.maillog;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileLogSinkTest {

    @TempDir
    Path dir;

    @Test
    void linesFromManySessionsArriveWholeCompleteAndInEachSessionsOrder() throws Exception {
        Path file = dir.resolve("mail.log");
        FileLogSink sink = FileLogSink.append(file);
        int sessions = 32;
        int lines = 2_000;
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            int session = s;
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < lines; i++) {
                    sink.write("session " + session + " line " + i + " " + "x".repeat(i % 300));
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        sink.close();

        List<String> written = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(written).hasSize(sessions * lines);
        Map<Integer, Integer> next = new HashMap<>();
        for (String line : written) {
            String[] f = line.split(" ");
            int session = Integer.parseInt(f[1]);
            int i = Integer.parseInt(f[3]);
            assertThat(i).as("line order of session %d", session).isEqualTo(next.getOrDefault(session, 0));
            assertThat(line).isEqualTo("session " + session + " line " + i + " " + "x".repeat(i % 300));
            next.put(session, i + 1);
        }
    }

    @Test
    void aLineOfAQuietServerReachesTheFileWithoutWaitingForMore() throws Exception {
        Path file = dir.resolve("mail.log");
        try (FileLogSink sink = FileLogSink.append(file)) {
            sink.write("connect from unknown[192.0.2.1]");
            Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
            while (Files.size(file) == 0 && Instant.now().isBefore(deadline)) {
                Thread.onSpinWait();
            }
            assertThat(Files.readString(file)).isEqualTo("connect from unknown[192.0.2.1]\n");
        }
    }

    @Test
    void closeWritesWhatIsQueuedAndLaterLinesFollowIt() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        FileLogSink sink = FileLogSink.stdout(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        sink.write("first");
        sink.write("second");
        sink.close();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("first\nsecond\n");
        sink.write("after close");
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("first\nsecond\nafter close\n");
    }

    @Test
    void afterRotationAReopenSendsLaterLinesToANewFileAndLosesNone() throws Exception {
        Path file = dir.resolve("mail.log");
        Path rotated = dir.resolve("mail.log.1");
        try (FileLogSink sink = FileLogSink.append(file)) {
            for (int i = 0; i < 1_000; i++) {
                sink.write("before " + i);
            }
            Files.move(file, rotated);     // logrotate's rename: the sink still holds the old file
            sink.write("between");
            sink.reopen();
            sink.write("after");
        }
        List<String> old = Files.readAllLines(rotated);
        assertThat(old).hasSize(1_001).startsWith("before 0").endsWith("between");
        assertThat(Files.readAllLines(file)).containsExactly("after");
    }

    @Test
    void aReopenThatCannotOpenTheFileKeepsWritingToTheOldOne() throws Exception {
        Path logs = Files.createDirectory(dir.resolve("logs"));
        Path file = logs.resolve("mail.log");
        Path moved = dir.resolve("moved");
        try (FileLogSink sink = FileLogSink.append(file)) {
            sink.write("first");
            Files.move(logs, moved);       // the directory is gone: the file cannot be made again
            sink.reopen();
            sink.write("second");
        }
        assertThat(Files.readAllLines(moved.resolve("mail.log"))).containsExactly("first", "second");
    }

    @Test
    void reopenOnStandardOutputDoesNothing() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        FileLogSink sink = FileLogSink.stdout(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        sink.write("one");
        sink.reopen();
        sink.write("two");
        sink.close();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("one\ntwo\n");
    }
}
