package org.mxguard.spool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.mxguard.mail.Envelope;

/**
 * Measures committed messages per second: N virtual threads (as N SMTP sessions) each write a
 * message of a given size in 8 KB chunks and commit it, in a loop, for a fixed time. Not a test: run
 * it with bench/spool/run. Each configuration gets a fresh spool directory, a warm-up, then a
 * measured period; the output is one line per configuration. The messages stay in their spools
 * (a backup MX queue grows) until the whole run ends, so no deletion competes with the next
 * measurement.
 *
 * <p>Arguments: {@code [--dir DIR] [--seconds S] [--warmup S] [--sizes 1024,51200] [--threads 1,10,50]
 * [--fsync true,false] [--virtual true]}; {@code --virtual false} runs the sessions on platform threads.
 */
public final class SpoolBenchmark {

    private SpoolBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path base = Path.of(System.getProperty("java.io.tmpdir"));
        int seconds = 10;
        int warmup = 3;
        int[] sizes = {1024, 51200};
        int[] threads = {1, 10, 50};
        boolean[] fsyncs = {true, false};
        boolean virtual = true;
        for (int i = 0; i + 1 < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--dir" -> base = Path.of(value);
                case "--seconds" -> seconds = Integer.parseInt(value);
                case "--warmup" -> warmup = Integer.parseInt(value);
                case "--sizes" -> sizes = Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
                case "--threads" -> threads = Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
                case "--virtual" -> virtual = Boolean.parseBoolean(value);
                case "--fsync" -> {
                    String[] parts = value.split(",");
                    fsyncs = new boolean[parts.length];
                    for (int j = 0; j < parts.length; j++) {
                        fsyncs[j] = Boolean.parseBoolean(parts[j]);
                    }
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path runDir = Files.createTempDirectory(base, "spool-bench-");
        System.out.printf("%-6s %-7s %-7s %10s %9s %9s %9s %12s%n", "fsync", "size", "threads", "msgs/s", "MB/s",
                "p50 ms", "p99 ms", "commits/dirsync");
        try {
            for (boolean fsync : fsyncs) {
                for (int size : sizes) {
                    for (int n : threads) {
                        run(runDir, fsync, size, n, warmup, seconds, virtual);
                    }
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(runDir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static void run(Path base, boolean fsync, int size, int threads, int warmup, int seconds,
            boolean virtual) throws Exception {
        // Start each configuration with no dirty pages left over from the one before.
        new ProcessBuilder("sync").inheritIO().start().waitFor();
        Path dir = Files.createTempDirectory(base, "spool-");
        byte[] content = message(size);
        Envelope envelope = SpoolFixtures.envelope("user@protected.example");
        try (FileSpool spool = FileSpool.open(SpoolSettings.defaults(dir).withFsync(fsync).withMinFreeBytes(0),
                Clock.systemUTC())) {
            spool.recover();
            measure(spool, envelope, content, threads, warmup, null, virtual);
            long syncsBefore = spool.directoryFsyncs();
            List<Long> latencies = new ArrayList<>();
            long started = System.nanoTime();
            measure(spool, envelope, content, threads, seconds, latencies, virtual);
            double elapsed = (System.nanoTime() - started) / 1e9;
            long syncs = spool.directoryFsyncs() - syncsBefore;
            long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            double rate = sorted.length / elapsed;
            System.out.printf("%-6s %-7d %-7d %10.0f %9.1f %9.2f %9.2f %12.1f%n", fsync, size, threads, rate,
                    rate * size / 1e6, percentile(sorted, 0.50), percentile(sorted, 0.99),
                    syncs == 0 ? 0.0 : (double) sorted.length / syncs);
        }
    }

    private static void measure(FileSpool spool, Envelope envelope, byte[] content, int threads, int seconds,
            List<Long> latencies, boolean virtual) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<List<Long>>> results = new ArrayList<>();
        try (ExecutorService pool = virtual ? Executors.newVirtualThreadPerTaskExecutor()
                : Executors.newThreadPerTaskExecutor(Thread.ofPlatform().factory())) {
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> session(spool, envelope, content, stop)));
            }
            Thread.sleep(seconds * 1000L);
            stop.set(true);
            for (Future<List<Long>> result : results) {
                List<Long> mine = result.get();
                if (latencies != null) {
                    latencies.addAll(mine);
                }
            }
        }
    }

    private static List<Long> session(FileSpool spool, Envelope envelope, byte[] content, AtomicBoolean stop)
            throws IOException {
        List<Long> latencies = new ArrayList<>();
        while (!stop.get()) {
            long start = System.nanoTime();
            try (MessageWriter writer = spool.begin(envelope)) {
                for (int off = 0; off < content.length; off += 8192) {
                    writer.content().write(content, off, Math.min(8192, content.length - off));
                }
                writer.commit();
            }
            latencies.add(System.nanoTime() - start);
        }
        return latencies;
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1e6;
    }

    private static byte[] message(int size) {
        byte[] bytes = new byte[size];
        String line = "The quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnopqrstuvwxyz.\r\n";
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) line.charAt(i % line.length());
        }
        return bytes;
    }
}
