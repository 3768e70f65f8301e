package org.mxguard.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two hosts' stores on one real redis-server: every kind of evidence reaches the other host. */
class RedisStoreIT {

    @TempDir
    Path dir;

    private RedisServer redis;
    private RedisStore a;
    private RedisStore b;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start(dir);
        a = RedisStore.open(settings("mx2.test"), Clock.systemUTC());
        b = RedisStore.open(settings("mx3.test"), Clock.systemUTC());
    }

    private StoreSettings settings(String host) {
        return StoreSettings.defaults(dir).withRedis(RedisSettings.local(redis.uri(), host).withPrefix("t1:"));
    }

    @AfterEach
    void stop() throws Exception {
        a.close();
        b.close();
        redis.close();
    }

    @Test
    void keysExpireByTheirTtls() throws Exception {
        InetAddress client = InetAddress.getByName("192.0.2.7");
        a.record(new PrimaryContact(client, "mta.isp.example", "mta", false, "primary.test", Instant.now(),
                PrimaryContact.Source.POLICY_SERVICE));
        a.flush();
        assertThat(redis.command("TTL t1:c:192.0.2.7")).as("7 days, the contact retention").matches(":60(47\\d\\d|4800)");
        assertThat(redis.command("GET t1:b:nothing")).isNull();
    }

    @Test
    void everyKindOfEvidenceReachesTheOtherHost() throws Exception {
        InetAddress client = InetAddress.getByName("192.0.2.7");
        Instant now = Instant.now();
        a.record(new PrimaryContact(client, "mta.isp.example", "mta", false, "primary.test", now,
                PrimaryContact.Source.POLICY_SERVICE));
        a.grantCredit(InetAddress.getByName("198.51.100.1"), now.plusSeconds(3600));
        a.caught(InetAddress.getByName("203.0.113.1"), null, true, now);
        b.caught(InetAddress.getByName("203.0.113.2"), null, false, now);
        a.attempt(InetAddress.getByName("203.0.113.1"), "s@x", "r@y", now);
        await(() -> b.lastContact(client) != null);
        await(() -> b.covered("192.0.2.0/24") && b.covered("192.0.0.0/16") && b.covered(".isp.example"));
        await(() -> b.creditUntil(InetAddress.getByName("198.51.100.1")) != null);
        // Each host's sum reaches the other on its own writer's schedule: wait for both.
        await(() -> a.aggregate("203.0.113.0/24") != null && a.aggregate("203.0.113.0/24").clients().size() == 2);
        await(() -> b.aggregate("203.0.113.0/24") != null && b.aggregate("203.0.113.0/24").clients().size() == 2);
        assertThat(b.aggregate("203.0.113.0/24").attempts()).isEqualTo(2);
        assertThat(b.aggregate("203.0.113.0/24").nullSender()).isEqualTo(1);
        assertThat(b.attempt(InetAddress.getByName("203.0.113.1"), "s@x", "r@y", now.plusSeconds(60)))
                .isEqualTo(now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        assertThat(a.degraded() || b.degraded()).isFalse();
    }

    @Test
    void aHostOpenedToLoadLaterHasTheBlocksAtOnceAndTheRestOnceStarted() throws Exception {
        InetAddress client = InetAddress.getByName("192.0.2.8");
        a.record(new PrimaryContact(client, "mta.isp.example", "mta", false, "primary.test", Instant.now(),
                PrimaryContact.Source.POLICY_SERVICE));
        a.putBlock(new Block("203.0.113.0/24", Block.Origin.MANUAL, "mx2.test", Instant.now(), null,
                "tempfail client 203.0.113.0/24", "by hand"));
        a.flush();
        try (RedisStore c = RedisStore.openLoadingLater(settings("mx4.test"), Clock.systemUTC())) {
            assertThat(c.blocks()).extracting(Block::evidence).containsExactly("by hand");
            assertThat(c.lastContact(client)).as("read once started").isNull();
            assertThat(c.degraded()).as("not refusing for lack of a contact meanwhile").isTrue();
            c.record(new PrimaryContact(InetAddress.getByName("192.0.2.9"), null, null, false, "primary.test",
                    Instant.now(), PrimaryContact.Source.POLICY_SERVICE));
            c.startLoading();
            await(() -> !c.degraded());
            assertThat(c.lastContact(client)).isNotNull();
            await(() -> a.lastContact(InetAddress.getByName("192.0.2.9")) != null);
        }
    }

    private static void await(Check condition) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out");
            }
            Thread.sleep(5);
        }
    }

    @Test
    void everyKindOfEvidenceReachesTheOtherHostThroughACluster() throws Exception {
        a.close();
        b.close();
        try (RedisCluster cluster = RedisCluster.start(dir.resolve("cluster"))) {
            RedisSettings r = RedisSettings.local(redis.uri(), "x").withCluster(cluster.seeds()).withPrefix("t1:");
            a = RedisStore.open(StoreSettings.defaults(dir).withRedis(new RedisSettings(r.addresses(), true, null, null,
                    null, "t1:", "mx2.test", r.timeout())), Clock.systemUTC());
            b = RedisStore.open(StoreSettings.defaults(dir).withRedis(new RedisSettings(r.addresses(), true, null, null,
                    null, "t1:", "mx3.test", r.timeout())), Clock.systemUTC());
            long t0 = System.nanoTime();
            everyKindOfEvidenceReachesTheOtherHost();
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1000);
        }
    }

    private interface Check {
        boolean ok() throws Exception;
    }
}
