package org.mxguard.evidence;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis Cluster of three masters with one replica each on loopback ports chosen at run time,
 * made with {@code redis-cli --cluster create} as an operator would.
 */
public final class RedisCluster implements AutoCloseable {

    private final List<RedisServer> nodes;

    private RedisCluster(List<RedisServer> nodes) {
        this.nodes = nodes;
    }

    public static RedisCluster start(Path dir) throws IOException, InterruptedException {
        List<RedisServer> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                nodes.add(RedisServer.startClusterNode(dir));
            }
            List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            nodes.forEach(n -> command.add(n.address()));
            command.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("redis-cli --cluster create failed: " + out);
            }
            RedisCluster cluster = new RedisCluster(nodes);
            cluster.awaitOk();
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            for (RedisServer n : nodes) {
                n.kill();
            }
            throw e;
        }
    }

    /**
     * Waits until every live node says {@code cluster_state:ok}, knows every node and sees all 16384
     * slots served, twice half a second apart: right after {@code --cluster create} (and after a
     * failover) the nodes' views still flap while the gossip settles.
     */
    public void awaitOk() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int settled = 0;
        while (settled < 2) {
            boolean ok = true;
            for (RedisServer n : nodes) {
                if (!n.alive()) {
                    continue;
                }
                String info = n.bulk("CLUSTER INFO");
                String replication = n.bulk("INFO replication");
                if (!info.contains("cluster_state:ok") || !info.contains("cluster_slots_ok:16384")
                        || !info.contains("cluster_known_nodes:" + nodes.size())) {
                    ok = false;
                }
                // A replica that never finished its first sync refuses to take over (its data counts
                // as too old): a failover test needs every replica in sync first.
                if (replication.contains("role:slave") && !replication.contains("master_link_status:up")) {
                    ok = false;
                }
            }
            settled = ok ? settled + 1 : 0;
            if (System.nanoTime() > deadline) {
                throw new IOException("the cluster did not settle at cluster_state:ok");
            }
            Thread.sleep(ok ? 500 : 50);
        }
    }

    /**
     * Waits until the live nodes flag {@code killed} as failed (not merely suspected) and a replica
     * serves its slots: right after a kill the others still say ok, for the node timeout.
     */
    public void awaitFailoverOf(RedisServer killed) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String address = killed.address() + "@";
        while (true) {
            boolean failed = true;
            for (RedisServer n : nodes) {
                if (!n.alive()) {
                    continue;
                }
                for (String line : n.bulk("CLUSTER NODES").split("\n")) {
                    String[] f = line.split(" ");
                    if (f.length > 2 && f[1].startsWith(address) && !f[2].matches("(.*,)?fail(,.*)?")) {
                        failed = false;
                    }
                }
            }
            if (failed) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("the cluster did not flag " + killed.address() + " as failed");
            }
            Thread.sleep(50);
        }
        awaitOk();
    }

    public List<String> seeds() {
        return nodes.stream().map(RedisServer::uri).toList();
    }

    /** The master serving {@code key}'s slot. */
    public RedisServer masterOf(String key) throws IOException {
        long slot = Long.parseLong(nodes.getFirst().command("CLUSTER KEYSLOT " + key).substring(1));
        for (String line : nodes.getFirst().bulk("CLUSTER NODES").split("\n")) {
            String[] f = line.split(" ");
            if (!f[2].contains("master") || f[2].contains("fail")) {
                continue;
            }
            for (int i = 8; i < f.length; i++) {
                String[] range = f[i].split("-");
                long from = Long.parseLong(range[0]);
                long to = range.length > 1 ? Long.parseLong(range[1]) : from;
                if (slot >= from && slot <= to) {
                    int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1, f[1].indexOf('@')));
                    return nodes.stream().filter(n -> n.port() == port).findFirst().orElseThrow();
                }
            }
        }
        throw new IOException("no master for slot " + slot);
    }

    @Override
    public void close() throws InterruptedException {
        for (RedisServer n : nodes) {
            n.kill();
        }
    }
}
