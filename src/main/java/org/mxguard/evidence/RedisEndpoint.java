package org.mxguard.evidence;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The fleet's Redis as Lettuce sees it, for the store's whole life: one client, made once from the
 * {@code evidence.redis} settings, from which each {@link RedisLink} is opened. A single node or a
 * Sentinel-watched master ({@code redis-sentinel://} URI: Lettuce asks the sentinels for the current
 * master on every connect) gets a {@link RedisClient}; cluster seeds a {@link RedisClusterClient},
 * whose topology (slot map, failed masters, promoted replicas) Lettuce keeps current between links.
 * Keeping the client across links is what Lettuce expects (a client owns event loops and its
 * topology), and a link opened after a failover starts from the topology the client already learned.
 */
final class RedisEndpoint implements AutoCloseable {

    private final AbstractRedisClient client;
    /** The node, or the sentinels' URI; null for a cluster (the client holds its seeds). */
    private final RedisURI node;

    private RedisEndpoint(AbstractRedisClient client, RedisURI node) {
        this.client = client;
        this.node = node;
    }

    static RedisEndpoint of(RedisSettings settings, ClientResources resources) {
        List<RedisURI> uris = new ArrayList<>();
        for (String address : settings.addresses()) {
            RedisURI uri = RedisURI.create(address);
            uri.setTimeout(settings.timeout());
            if (settings.password() != null) {
                if (settings.user() != null) {
                    uri.setAuthentication(settings.user(), settings.password());
                } else {
                    uri.setAuthentication(settings.password());
                }
            }
            uris.add(uri);
        }
        AbstractRedisClient client = client(settings, resources, uris);
        return new RedisEndpoint(client, settings.cluster() ? null : uris.getFirst());
    }

    private static AbstractRedisClient client(RedisSettings settings, ClientResources resources, List<RedisURI> uris) {
        SocketOptions socket = SocketOptions.builder().connectTimeout(settings.timeout()).keepAlive(true).build();
        TimeoutOptions timeouts = TimeoutOptions.enabled(settings.timeout());
        if (settings.cluster()) {
            RedisClusterClient c = RedisClusterClient.create(resources, uris);
            ClusterClientOptions.Builder options = ClusterClientOptions.builder();
            // Lettuce keeps a failed master in its topology (CLUSTER NODES still lists it, flagged
            // fail) and would open new connections, the subscription among them, to it: the filter
            // leaves it out, so a link opened after a failover lands on live nodes only. Refresh on
            // every sign of a topology change, not at most once per 30 s (Lettuce's default), and
            // every 5 s in any case.
            options.nodeFilter(RedisEndpoint::live);
            options.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                    .enableAllAdaptiveRefreshTriggers().adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1))
                    .refreshTriggersReconnectAttempts(1).closeStaleConnections(true)
                    .enablePeriodicRefresh(Duration.ofSeconds(5)).build());
            // A cluster connection opens its node connections as slots move: those must come back by
            // themselves during a failover. Commands still fail after the timeout, which drops the link.
            options.autoReconnect(true);
            options.socketOptions(socket);
            options.timeoutOptions(timeouts);
            ssl(settings, options);
            c.setOptions(options.build());
            return c;
        }
        RedisClient c = RedisClient.create(resources);
        // No reconnect behind the store's back: the store notices the failure, opens a new link (for
        // Sentinel: asks the sentinels for the master again) and loads what it missed.
        ClientOptions.Builder options = ClientOptions.builder().autoReconnect(false)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(socket).timeoutOptions(timeouts);
        ssl(settings, options);
        c.setOptions(options.build());
        return c;
    }

    /** A node Lettuce may connect to: not failed, nor suspected of failure, and with an address. */
    static boolean live(RedisClusterNode node) {
        return !node.is(RedisClusterNode.NodeFlag.FAIL) && !node.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL)
                && !node.is(RedisClusterNode.NodeFlag.NOADDR);
    }

    private static void ssl(RedisSettings settings, ClientOptions.Builder options) {
        if (settings.caFile() != null) {
            options.sslOptions(SslOptions.builder().jdkSslProvider().trustManager(settings.caFile().toFile()).build());
        }
    }

    /**
     * Connects and subscribes to {@code channel}; {@code onMessage} gets each message on Lettuce's
     * I/O thread.
     *
     * @throws io.lettuce.core.RedisException when Redis cannot be reached, or (a cluster) while some
     *     slots have no live master
     */
    RedisLink open(String channel, BiConsumer<String, String> onMessage) {
        return client instanceof RedisClusterClient cluster ? RedisLink.cluster(cluster, channel, onMessage)
                : RedisLink.node((RedisClient) client, node, channel, onMessage);
    }

    @Override
    public void close() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
}
