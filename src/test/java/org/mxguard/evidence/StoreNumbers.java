package org.mxguard.evidence;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The embedded store's cost per new client (docs/BENCHMARKS.md, the policy service): {@code clients}
 * primary contacts of distinct clients recorded as the policy service records them (a name under one
 * subdomain, a HELO, the configured primary), from one thread as fast as it goes, then what that
 * cost: the caller's time per record, the writer thread's CPU per record, the GC's pauses, the heap
 * after a full collection and the store file's size per tracked client, and the time to open the
 * store again. Uses only {@link EvidenceStore}'s methods, so it runs on any version of the store.
 *
 * <pre>
 * mvn -q test-compile && java -Xmx2g -cp "target/test-classes:target/classes:target/lib/*" \
 *     org.mxguard.evidence.StoreNumbers 1000000
 * </pre>
 */
public final class StoreNumbers {

    private StoreNumbers() {
    }

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path dir = Files.createTempDirectory("mxguard-store-bench");
        try {
            run(dir, clients);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(Path dir, int clients) throws Exception {
        Clock clock = Clock.systemUTC();
        StoreSettings settings = StoreSettings.defaults(dir);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long heapBefore = heap();
        long gcBefore = gcMillis();
        long recordNanos;
        long writerCpu;
        try (EmbeddedStore store = EmbeddedStore.open(settings, clock)) {
            long writerId = threadId(threads, "evidence-writer");
            long cpuBefore = threads.getThreadCpuTime(writerId);
            Instant now = clock.instant();
            long start = System.nanoTime();
            for (int i = 0; i < clients; i++) {
                int client = i * 7919 & 0xffffff;
                store.record(new PrimaryContact(InetAddress.getByAddress(new byte[] {10, (byte) (client >>> 16),
                        (byte) (client >>> 8), (byte) client}), "host-" + client + ".isp.example",
                        "mta" + client % 1000 + ".isp.example", false, "primary.test", now,
                        PrimaryContact.Source.POLICY_SERVICE));
            }
            recordNanos = System.nanoTime() - start;
            // The writer's passes until everything is in the file (its interval is 200 ms).
            long deadline = System.nanoTime() + 600_000_000_000L;
            long last = -1;
            while (System.nanoTime() < deadline) {
                Thread.sleep(1000);
                long cpu = threads.getThreadCpuTime(writerId);
                // Idle passes cost microseconds: under 10 ms of CPU in a second, it is done.
                if (last >= 0 && cpu - last < 10_000_000L) {
                    break;
                }
                last = cpu;
            }
            writerCpu = threads.getThreadCpuTime(writerId) - cpuBefore;
            // What the writer costs once the burst is over: an idle server's background CPU.
            long idleBefore = threads.getThreadCpuTime(writerId);
            Thread.sleep(5000);
            long idleMillisPerSecond = (threads.getThreadCpuTime(writerId) - idleBefore) / 5 / 1_000_000;
            long gc = gcMillis() - gcBefore;
            long heap = heap() - heapBefore;
            System.out.printf("%d new clients: record %.2f us each (one thread); writer CPU %.2f us per client; "
                    + "GC pauses %d ms in all; heap +%.1f MB (%.0f bytes per client); idle writer CPU %d ms/s; "
                    + "store: %s%n", clients,
                    recordNanos / 1e3 / clients, writerCpu / 1e3 / clients, gc, heap / 1e6,
                    (double) heap / clients, idleMillisPerSecond, store.describe());
        }
        long file = Files.size(dir.resolve(EmbeddedStore.FILE_NAME));
        long open = System.nanoTime();
        try (EmbeddedStore store = EmbeddedStore.open(settings, clock)) {
            System.out.printf("file %.1f MB (%.0f bytes per client); opened again in %d ms: %s%n", file / 1e6,
                    (double) file / clients, (System.nanoTime() - open) / 1_000_000, store.describe());
        }
    }

    private static long threadId(ThreadMXBean threads, String name) {
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().equals(name)) {
                return info.getThreadId();
            }
        }
        throw new IllegalStateException("no thread " + name);
    }

    private static long gcMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            // G1's concurrent cycle and ZGC's cycles run beside the application: not pauses.
            if (!gc.getName().contains("Concurrent") && !gc.getName().contains("Cycles")) {
                sum += Math.max(0, gc.getCollectionTime());
            }
        }
        return sum;
    }

    private static long heap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
