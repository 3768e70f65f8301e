package org.mxguard.evidence;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.api.sync.RedisKeyCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * One connection to the fleet's Redis, whatever its shape: a single node, a master found through
 * Sentinel, or a cluster. Lettuce does the topology work (Sentinel's master lookup, the cluster's
 * slot map and its refresh on MOVED and failover); this class only opens the command connection and
 * the subscription, and closes both. A single node's link does not reconnect by itself: the store
 * notices a failure, drops the link, opens a new one and loads what it missed, so an outage always
 * ends with a full catch-up instead of a silent gap in the subscription. A cluster's node
 * connections do reconnect (Lettuce needs them to follow a failover), but a command that fails or
 * times out drops the whole link just the same.
 */
final class RedisLink implements AutoCloseable {

    private final AbstractRedisClient client;
    private final StatefulConnection<String, String> connection;
    private final StatefulRedisPubSubConnection<String, String> subscription;
    private final RedisClusterAsyncCommands<String, String> async;
    private final RedisClusterCommands<String, String> sync;

    private RedisLink(AbstractRedisClient client, StatefulConnection<String, String> connection,
            RedisClusterAsyncCommands<String, String> async, RedisClusterCommands<String, String> sync,
            StatefulRedisPubSubConnection<String, String> subscription) {
        this.client = client;
        this.connection = connection;
        this.async = async;
        this.sync = sync;
        this.subscription = subscription;
    }

    /**
     * Connects and subscribes to {@code channel}; {@code onMessage} gets each message on Lettuce's
     * I/O thread.
     *
     * @throws io.lettuce.core.RedisException when Redis cannot be reached
     */
    static RedisLink open(RedisSettings settings, ClientResources resources, String channel,
            BiConsumer<String, String> onMessage) {
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
        SocketOptions socket = SocketOptions.builder().connectTimeout(settings.timeout()).keepAlive(true).build();
        TimeoutOptions timeouts = TimeoutOptions.enabled(settings.timeout());
        AbstractRedisClient client = null;
        try {
            StatefulConnection<String, String> connection;
            RedisClusterAsyncCommands<String, String> async;
            RedisClusterCommands<String, String> sync;
            StatefulRedisPubSubConnection<String, String> subscription;
            if (settings.cluster()) {
                // Lettuce subscribes on the first seed: a dead one (a killed master) would keep every
                // new link from opening, so each attempt starts from another seed.
                java.util.Collections.shuffle(uris);
                RedisClusterClient c = RedisClusterClient.create(resources, uris);
                client = c;
                ClusterClientOptions.Builder options = ClusterClientOptions.builder();
                options.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enableAllAdaptiveRefreshTriggers().enablePeriodicRefresh(Duration.ofSeconds(5)).build());
                // A cluster connection opens its node connections as slots move: those must come back by
                // themselves during a failover. Commands still fail after the timeout, which drops the link.
                options.autoReconnect(true);
                options.socketOptions(socket);
                options.timeoutOptions(timeouts);
                ssl(settings, options);
                c.setOptions(options.build());
                StatefulRedisClusterConnection<String, String> cc = c.connect();
                connection = cc;
                async = cc.async();
                sync = cc.sync();
                subscription = c.connectPubSub();
            } else {
                RedisClient c = RedisClient.create(resources);
                client = c;
                ClientOptions.Builder options = ClientOptions.builder().autoReconnect(false)
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                        .socketOptions(socket).timeoutOptions(timeouts);
                ssl(settings, options);
                c.setOptions(options.build());
                StatefulRedisConnection<String, String> sc = c.connect(uris.getFirst());
                connection = sc;
                async = sc.async();
                sync = sc.sync();
                subscription = c.connectPubSub(uris.getFirst());
            }
            subscription.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String ch, String message) {
                    onMessage.accept(ch, message);
                }
            });
            subscription.sync().subscribe(channel);
            return new RedisLink(client, connection, async, sync, subscription);
        } catch (RuntimeException e) {
            if (client != null) {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            }
            throw e;
        }
    }

    private static void ssl(RedisSettings settings, ClientOptions.Builder options) {
        if (settings.caFile() != null) {
            options.sslOptions(SslOptions.builder().jdkSslProvider().trustManager(settings.caFile().toFile()).build());
        }
    }

    RedisClusterAsyncCommands<String, String> async() {
        return async;
    }

    RedisClusterCommands<String, String> sync() {
        return sync;
    }

    /**
     * Where to SCAN for the fleet's keys: the node, or each live master of a cluster. Lettuce's own
     * cluster-wide SCAN also visits a master that failed and lost its slots, and fails on it.
     */
    List<RedisKeyCommands<String, String>> scanTargets() {
        if (!(connection instanceof StatefulRedisClusterConnection<String, String> cluster)) {
            return List.of(sync);
        }
        List<RedisKeyCommands<String, String>> out = new ArrayList<>();
        for (RedisClusterNode node : cluster.getPartitions()) {
            if (node.getRole().isUpstream() && !node.is(RedisClusterNode.NodeFlag.FAIL)
                    && !node.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL) && !node.getSlots().isEmpty()) {
                out.add(cluster.getConnection(node.getNodeId()).sync());
            }
        }
        return out;
    }

    /** False once either connection dropped: the link is then useless and must be replaced. */
    boolean open() {
        return connection.isOpen() && subscription.isOpen();
    }

    /** Asks the subscription's node too, so a dead subscriber is noticed even when no key is written. */
    void ping() {
        subscription.sync().ping();
        sync.ping();
    }

    @Override
    public void close() {
        try {
            subscription.close();
            connection.close();
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }
}
