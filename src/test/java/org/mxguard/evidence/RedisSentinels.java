package org.mxguard.evidence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis primary with one replica, watched by three sentinels ({@code redis-server --sentinel} with a
 * written configuration), all on loopback ports chosen at run time, as an operator would set them up
 * for failover without a cluster. The sentinels agree on a failure with a quorum of two and act after
 * a second of silence.
 */
public final class RedisSentinels implements AutoCloseable {

    public static final String MASTER = "fleet";

    private final RedisServer primary;
    private final RedisServer replica;
    private final List<RedisServer> sentinels;

    private RedisSentinels(RedisServer primary, RedisServer replica, List<RedisServer> sentinels) {
        this.primary = primary;
        this.replica = replica;
        this.sentinels = sentinels;
    }

    public static RedisSentinels start(Path dir) throws IOException, InterruptedException {
        List<RedisServer> all = new ArrayList<>();
        try {
            RedisServer primary = RedisServer.start(dir.resolve("primary"));
            all.add(primary);
            RedisServer replica = RedisServer.startReplicaOf(dir.resolve("replica"), primary);
            all.add(replica);
            List<RedisServer> sentinels = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Path home = dir.resolve("sentinel-" + i);
                Files.createDirectories(home);
                // Sentinel rewrites its configuration file (what it learned of replicas, other sentinels,
                // the current primary): the file must be its own and writable.
                Path config = home.resolve("sentinel.conf");
                Files.writeString(config, """
                        sentinel monitor %s 127.0.0.1 %d 2
                        sentinel down-after-milliseconds %s 1000
                        sentinel failover-timeout %s 10000
                        sentinel parallel-syncs %s 1
                        """.formatted(MASTER, primary.port(), MASTER, MASTER, MASTER));
                RedisServer sentinel = RedisServer.startSentinel(home, config);
                all.add(sentinel);
                sentinels.add(sentinel);
            }
            RedisSentinels group = new RedisSentinels(primary, replica, sentinels);
            group.awaitWatching(primary.port());
            return group;
        } catch (IOException | InterruptedException | RuntimeException e) {
            for (RedisServer r : all) {
                r.kill();
            }
            throw e;
        }
    }

    /** The URI mxguard is given: every sentinel, and the master's name. */
    public String uri() {
        StringBuilder out = new StringBuilder("redis-sentinel://");
        for (RedisServer s : sentinels) {
            out.append(out.length() > "redis-sentinel://".length() ? "," : "").append(s.address());
        }
        return out.append("#").append(MASTER).toString();
    }

    /** A live sentinel, to send SENTINEL commands to. */
    public RedisServer sentinel() {
        return sentinels.stream().filter(RedisServer::alive).findFirst().orElseThrow();
    }

    public RedisServer primary() {
        return primary;
    }

    public RedisServer replica() {
        return replica;
    }

    /**
     * Waits until every live sentinel names {@code port} as the primary, with status ok, and knows the
     * other sentinels: right after start, and after a failover, they learn it over a few hellos.
     */
    public void awaitWatching(int port) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            boolean ok = true;
            for (RedisServer s : sentinels) {
                if (!s.alive()) {
                    continue;
                }
                List<String> master = s.array("SENTINEL GET-MASTER-ADDR-BY-NAME " + MASTER);
                String info = s.bulk("INFO sentinel");
                ok &= master.size() == 2 && master.get(1).equals(Integer.toString(port))
                        && info.contains("sentinels=" + sentinels.size()) && info.contains("status=ok")
                        && info.contains("address=127.0.0.1:" + port + ",");
            }
            if (ok) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("the sentinels did not agree on the primary at port " + port);
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (RedisServer s : sentinels) {
            s.kill();
        }
        replica.kill();
        primary.kill();
    }
}
