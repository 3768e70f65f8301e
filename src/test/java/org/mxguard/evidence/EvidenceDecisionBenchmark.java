package org.mxguard.evidence;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.mxguard.mail.MailAddress;
import org.mxguard.maillog.LogSink;
import org.mxguard.maillog.MailLog;
import org.mxguard.policy.Decision;
import org.mxguard.policy.PolicyQuery;
import org.mxguard.policy.PolicySettings;
import org.mxguard.policy.Stage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * MX-skip decisions and contact records per second against the embedded store and the fleet's
 * Redis store (bench/evidence/run.sh). The store holds {@code clients} clients seen
 * at the primary and a tenth as many with retry credit; a decision picks a client at random: 80%
 * seen at the primary, 10% with credit, 10% never seen (refused, so the attempt, the per-source sums
 * and the block check run too; drawn from a fixed set, as a spam run's sources are).
 */
@State(Scope.Benchmark)
public class EvidenceDecisionBenchmark {

    @Param("1000000")
    public int clients;

    /** embedded, or redis: the fleet's store on a redis-server started here on a loopback port. */
    @Param({"embedded", "redis"})
    public String kind;

    private EvidenceStore store;
    private RedisServer redis;
    private MxSkipRule rule;
    private ContactRecorder recorder;
    private Path dir;
    private PolicyQuery[] queries;
    private PrimaryContact[] contacts;

    /** Each thread's position in the shared query table. */
    @State(Scope.Thread)
    public static class Cursor {
        int next = (int) (Math.random() * 1_000_000);
    }

    @Setup(Level.Trial)
    public void open() throws Exception {
        dir = Files.createTempDirectory("mxguard-evidence-bench");
        Clock clock = Clock.systemUTC();
        if (kind.equals("redis")) {
            redis = RedisServer.start(dir);
            store = RedisStore.open(StoreSettings.defaults(dir).withRedis(RedisSettings.local(redis.uri(), "bench.test"))
                    .withWriteInterval(Duration.ofMillis(50)), clock);
        } else {
            store = EmbeddedStore.open(StoreSettings.defaults(dir), clock);
        }
        MxSkipSettings settings = MxSkipSettings.defaults().withMode(MxSkipSettings.Mode.ENFORCE);
        MailLog log = new MailLog("bench.test", "mxguard", clock, LogSink.DISCARD);
        MxSkip mx = MxSkip.assemble(settings, store, PrimaryHealth.ALWAYS_UP, d -> "mx1.test",
                PolicySettings.DEFAULTS, "bench.test", log, clock);
        rule = mx.rule();
        recorder = mx.recorder();
        Instant now = Instant.now();
        contacts = new PrimaryContact[clients];
        for (int i = 0; i < clients; i++) {
            contacts[i] = new PrimaryContact(address(10, i), "unknown", null, false, "mx1.test", now,
                    PrimaryContact.Source.POLICY_SERVICE);
            store.record(contacts[i]);
            if (i % 10 == 0) {
                store.grantCredit(address(11, i), now.plus(Duration.ofDays(7)));
            }
        }
        store.flush();
        queries = new PolicyQuery[1 << 20];
        MailAddress to = MailAddress.of("user", "protected.test");
        MailAddress from = MailAddress.of("sender", "client.test");
        for (int q = 0; q < queries.length; q++) {
            int pick = (int) (Math.random() * 10);
            int i = (int) (Math.random() * clients);
            InetAddress client = pick < 8 ? address(10, i) : pick < 9 ? address(11, i - i % 10) : address(12, i % 50_000);
            queries[q] = new PolicyQuery(Stage.RCPT, client, "unknown", "client.test", from, to);
        }
        mx.close();
    }

    private static InetAddress address(int first, int i) throws Exception {
        return InetAddress.getByAddress(new byte[] {(byte) first, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i});
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        store.close();
        if (redis != null) {
            redis.close();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(2)
    public Decision decide(Cursor cursor) {
        cursor.next = (cursor.next + 1) & (queries.length - 1);
        return rule.decide(queries[cursor.next]);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(2)
    public void record(Cursor cursor) {
        cursor.next = (cursor.next + 1) % clients;
        recorder.record(contacts[cursor.next]);
    }
}
