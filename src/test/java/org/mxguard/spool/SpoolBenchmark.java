package org.mxguard.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.mxguard.mail.Envelope;

/**
 * Measures committed messages per second: N virtual threads (as N SMTP sessions) each write a
 * message of a given size in 8 KB chunks and commit it, in a loop, for a fixed time. Not a test: run
 * it with bench/spool/run.
 *
 * <p>Two modes run side by side, so a noisy machine affects both alike: {@code spool} is
 * {@link FileSpool}; {@code raw} is the bare file protocol (create, write, fsync, rename, fsync the
 * directory) without header, id, free-space checks or anything else of the spool's: the most this
 * file system allows, against which the spool's own cost shows. Each configuration gets a fresh
 * directory, a warm-up, then a measured period; its files are deleted afterwards and a sync(1)
 * settles the disk before the next one starts. With {@code --repeat R} the whole matrix runs R
 * times, interleaved, and a summary gives each configuration's median.
 *
 * <p>Arguments: {@code [--dir DIR] [--seconds S] [--warmup S] [--repeat R] [--sizes 1024,51200]
 * [--threads 1,10,50] [--fsync true,false] [--modes spool,raw]}.
 */
public final class SpoolBenchmark {

    private SpoolBenchmark() {
    }

    private record Config(String mode, boolean fsync, int size, int threads) {
        @Override
        public String toString() {
            return String.format("%-6s %-6s %-7d %-7d", mode, fsync, size, threads);
        }
    }

    private record Outcome(double rate, double p50, double p99) {
    }

    public static void main(String[] args) throws Exception {
        Path base = Path.of(System.getProperty("java.io.tmpdir"));
        int seconds = 10;
        int warmup = 3;
        int repeat = 1;
        int[] sizes = {1024, 51200};
        int[] threads = {1, 10, 50};
        String[] fsyncs = {"true", "false"};
        String[] modes = {"spool", "raw"};
        for (int i = 0; i + 1 < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--dir" -> base = Path.of(value);
                case "--seconds" -> seconds = Integer.parseInt(value);
                case "--warmup" -> warmup = Integer.parseInt(value);
                case "--repeat" -> repeat = Integer.parseInt(value);
                case "--sizes" -> sizes = Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
                case "--threads" -> threads = Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
                case "--fsync" -> fsyncs = value.split(",");
                case "--modes" -> modes = value.split(",");
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<Config> configs = new ArrayList<>();
        for (String fsync : fsyncs) {
            for (int size : sizes) {
                for (int n : threads) {
                    for (String mode : modes) {
                        configs.add(new Config(mode, Boolean.parseBoolean(fsync), size, n));
                    }
                }
            }
        }
        Path runDir = Files.createTempDirectory(base, "spool-bench-");
        Map<Config, List<Outcome>> results = new LinkedHashMap<>();
        String heading = String.format("%-6s %-6s %-7s %-7s %9s %8s %8s %8s", "mode", "fsync", "size", "threads",
                "msgs/s", "MB/s", "p50 ms", "p99 ms");
        System.out.println(heading);
        try {
            for (int r = 0; r < repeat; r++) {
                for (Config config : configs) {
                    Outcome outcome = run(runDir, config, warmup, seconds);
                    results.computeIfAbsent(config, c -> new ArrayList<>()).add(outcome);
                    System.out.printf("%s %9.0f %8.1f %8.2f %8.2f%n", config, outcome.rate(),
                            outcome.rate() * config.size() / 1e6, outcome.p50(), outcome.p99());
                }
            }
        } finally {
            deleteTree(runDir);
        }
        if (repeat > 1) {
            System.out.println();
            System.out.println("median of " + repeat + " runs (min..max msgs/s)");
            System.out.println(heading);
            for (var e : results.entrySet()) {
                double[] rates = e.getValue().stream().mapToDouble(Outcome::rate).sorted().toArray();
                Outcome median = e.getValue().stream().sorted(Comparator.comparingDouble(Outcome::rate))
                        .toList().get(rates.length / 2);
                System.out.printf("%s %9.0f %8.1f %8.2f %8.2f   (%.0f..%.0f)%n", e.getKey(), median.rate(),
                        median.rate() * e.getKey().size() / 1e6, median.p50(), median.p99(), rates[0],
                        rates[rates.length - 1]);
            }
        }
    }

    /** One committer's loop body: write and commit one message. */
    private interface Committer {
        void commitOne() throws IOException;
    }

    private static Outcome run(Path runDir, Config config, int warmup, int seconds) throws Exception {
        Path dir = Files.createTempDirectory(runDir, config.mode() + "-");
        try {
            return runIn(dir, config, warmup, seconds);
        } finally {
            deleteTree(dir);
            // Start the next configuration with no dirty pages or deletions left over from this one.
            new ProcessBuilder("sync").inheritIO().start().waitFor();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static Outcome runIn(Path dir, Config config, int warmup, int seconds) throws Exception {
        byte[] content = message(config.size());
        if (config.mode().equals("raw")) {
            return new Raw(dir, config.fsync(), content).measure(config.threads(), warmup, seconds);
        }
        Envelope envelope = SpoolFixtures.envelope("user@protected.example");
        try (FileSpool spool = FileSpool.open(SpoolSettings.defaults(dir).withFsync(config.fsync())
                .withMinFreeBytes(0), Clock.systemUTC())) {
            spool.recover();
            Committer committer = () -> {
                try (MessageWriter writer = spool.begin(envelope)) {
                    for (int off = 0; off < content.length; off += 8192) {
                        writer.content().write(content, off, Math.min(8192, content.length - off));
                    }
                    writer.commit();
                }
            };
            measure(committer, config.threads(), warmup, null);
            List<Long> latencies = new ArrayList<>();
            long started = System.nanoTime();
            measure(committer, config.threads(), seconds, latencies);
            return outcome(latencies, System.nanoTime() - started);
        }
    }

    /** The bare commit protocol, without anything else of the spool's. */
    private record Raw(Path dir, boolean fsync, byte[] content) {

        Outcome measure(int threads, int warmup, int seconds) throws Exception {
            Path incoming = Files.createDirectories(dir.resolve("incoming"));
            Path queue = Files.createDirectories(dir.resolve("queue"));
            AtomicLong serial = new AtomicLong();
            Committer committer = () -> {
                String name = Long.toString(serial.incrementAndGet());
                Path temp = incoming.resolve(name);
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
                    for (int off = 0; off < content.length; off += 8192) {
                        channel.write(ByteBuffer.wrap(content, off, Math.min(8192, content.length - off)));
                    }
                    if (fsync) {
                        channel.force(true);
                    }
                }
                Files.move(temp, queue.resolve(name), StandardCopyOption.ATOMIC_MOVE);
                if (fsync) {
                    try (FileChannel d = FileChannel.open(queue, StandardOpenOption.READ)) {
                        d.force(true);
                    }
                }
            };
            SpoolBenchmark.measure(committer, threads, warmup, null);
            List<Long> latencies = new ArrayList<>();
            long started = System.nanoTime();
            SpoolBenchmark.measure(committer, threads, seconds, latencies);
            return outcome(latencies, System.nanoTime() - started);
        }
    }

    private static Outcome outcome(List<Long> latencies, long elapsedNanos) {
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Outcome(sorted.length / (elapsedNanos / 1e9), percentile(sorted, 0.50), percentile(sorted, 0.99));
    }

    private static void measure(Committer committer, int threads, int seconds, List<Long> latencies)
            throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<List<Long>>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    List<Long> mine = new ArrayList<>();
                    while (!stop.get()) {
                        long start = System.nanoTime();
                        committer.commitOne();
                        mine.add(System.nanoTime() - start);
                    }
                    return mine;
                }));
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
