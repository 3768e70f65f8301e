package org.mxguard.evidence;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import org.mxguard.policy.MemoryRuleSource;
import org.mxguard.policy.PolicySettings;
import org.mxguard.policy.RuleSet;

/**
 * The fleet's numbers on a real redis-server (bench/evidence/fleet.sh): the time from a block made
 * on one host to its presence on another (p50, p99), and the Redis memory, Redis keys and Java heap
 * per tracked client once {@code clients} clients seen at a primary (and a tenth as many with retry
 * credit) are in the store.
 */
public final class FleetNumbers {

    private FleetNumbers() {
    }

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path dir = Files.createTempDirectory("mxguard-fleet-bench");
        try (RedisServer redis = RedisServer.start(dir)) {
            Clock clock = Clock.systemUTC();
            StoreSettings base = StoreSettings.defaults(dir).withRedis(RedisSettings.local(redis.uri(), "mx2.test"))
                    .withWriteInterval(Duration.ofMillis(50));
            try (RedisStore a = RedisStore.open(base, clock);
                    RedisStore b = RedisStore.open(base.withRedis(RedisSettings.local(redis.uri(), "mx3.test")), clock)) {
                latency(a, b, clock);
            }
            redis.command("FLUSHALL");
            footprint(redis, base, clients, clock);
        }
    }

    /**
     * Each block made on host a, timed until it is in host b's store, and until it is in force there:
     * compiled by b's {@link BlockRules} into the rule source the policy engine asks, as in a server.
     */
    private static void latency(RedisStore a, RedisStore b, Clock clock) throws InterruptedException {
        int n = 300;
        MemoryRuleSource inForce = new MemoryRuleSource("blocks", PolicySettings.DEFAULTS);
        new BlockRules(b, inForce, false, Duration.ofDays(1), clock);
        long[] present = new long[n];
        long[] enforced = new long[n];
        for (int i = 0; i < n; i++) {
            String target = "10." + (i >> 8) + "." + (i & 255) + ".0/24";
            Instant now = clock.instant();
            long start = System.nanoTime();
            a.putBlock(new Block(target, Block.Origin.MANUAL, "mx2.test", now, now.plusSeconds(3600),
                    "tempfail client " + target, "bench"));
            while (b.block(target) == null) {
                Thread.onSpinWait();
            }
            present[i] = (System.nanoTime() - start) / 1000;
            while (!inForce(inForce.current(), "block " + target)) {
                Thread.onSpinWait();
            }
            enforced[i] = (System.nanoTime() - start) / 1000;
            // Spread the blocks over the writer's interval, as blocks made by traffic are.
            Thread.sleep(7);
        }
        Arrays.sort(present);
        Arrays.sort(enforced);
        System.out.printf("block made on one host to present in the other's store (%d blocks, write interval 50 ms): "
                + "p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", n, present[n / 2] / 1000.0, present[n * 99 / 100] / 1000.0,
                present[n - 1] / 1000.0);
        System.out.printf("block made on one host to in force in the other's policy engine: "
                + "p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", enforced[n / 2] / 1000.0, enforced[n * 99 / 100] / 1000.0,
                enforced[n - 1] / 1000.0);
    }

    private static boolean inForce(RuleSet rules, String name) {
        for (int i = rules.size() - 1; i >= 0; i--) {
            if (rules.ref(i).file().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static void footprint(RedisServer redis, StoreSettings settings, int clients, Clock clock)
            throws Exception {
        long redisBefore = usedMemory(redis);
        long heapBefore = heap();
        try (RedisStore store = RedisStore.open(settings, clock)) {
            Instant now = clock.instant();
            for (int i = 0; i < clients; i++) {
                store.record(new PrimaryContact(address(10, i), "unknown", null, false, "mx1.test", now,
                        PrimaryContact.Source.POLICY_SERVICE));
                if (i % 10 == 0) {
                    store.grantCredit(address(11, i), now.plus(Duration.ofDays(7)));
                }
            }
            long t0 = System.nanoTime();
            store.flush();
            long flushMillis = (System.nanoTime() - t0) / 1_000_000;
            long heap = heap() - heapBefore;
            long keys = Long.parseLong(redis.command("DBSIZE").substring(1));
            long memory = usedMemory(redis) - redisBefore;
            double tracked = clients * 1.1;
            System.out.printf("%d clients seen at a primary + %d with credit (%.0f tracked): %d Redis keys (%.2f per "
                    + "tracked client), Redis used_memory +%.1f MB (%.0f bytes per tracked client), Java heap +%.1f MB "
                    + "(%.0f bytes per tracked client); first write of all to Redis %d ms%n", clients, clients / 10,
                    tracked, keys, keys / tracked, memory / 1e6, memory / tracked, heap / 1e6, heap / tracked,
                    flushMillis);
        }
    }

    private static long usedMemory(RedisServer redis) throws Exception {
        for (String line : redis.bulk("INFO memory").split("\r\n")) {
            if (line.startsWith("used_memory:")) {
                return Long.parseLong(line.substring("used_memory:".length()));
            }
        }
        throw new IllegalStateException("no used_memory in INFO");
    }

    private static long heap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static InetAddress address(int first, int i) throws Exception {
        return InetAddress.getByAddress(new byte[] {(byte) first, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i});
    }
}
