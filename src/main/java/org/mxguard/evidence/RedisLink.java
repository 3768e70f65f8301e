package org.mxguard.evidence;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisKeyCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * One connection to the fleet's Redis, whatever its shape: a single node, a master found through
 * Sentinel, or a cluster: the command connection and the subscription, opened from a
 * {@link RedisEndpoint} and closed together. A single node's link does not reconnect by itself: the
 * store notices a failure, drops the link, opens a new one and loads what it missed, so an outage
 * always ends with a full catch-up instead of a silent gap in the subscription. A cluster's node
 * connections do reconnect (Lettuce needs them to follow a failover), but a command that fails or
 * times out drops the whole link just the same.
 */
final class RedisLink implements AutoCloseable {

    private final StatefulConnection<String, String> connection;
    private final StatefulRedisPubSubConnection<String, String> subscription;
    private final RedisClusterAsyncCommands<String, String> async;
    private final RedisClusterCommands<String, String> sync;

    private RedisLink(StatefulConnection<String, String> connection, RedisClusterAsyncCommands<String, String> async,
            RedisClusterCommands<String, String> sync, StatefulRedisPubSubConnection<String, String> subscription) {
        this.connection = connection;
        this.async = async;
        this.sync = sync;
        this.subscription = subscription;
    }

    static RedisLink cluster(RedisClusterClient client, String channel, BiConsumer<String, String> onMessage) {
        // A new link follows the cluster as it is now (a replica promoted since the last refresh),
        // not as the client last saw it.
        client.refreshPartitions();
        StatefulRedisClusterConnection<String, String> cc = client.connect();
        try {
            return subscribed(cc, cc.async(), cc.sync(), client.connectPubSub(), channel, onMessage);
        } catch (RuntimeException e) {
            cc.close();
            throw e;
        }
    }

    static RedisLink node(RedisClient client, RedisURI uri, String channel, BiConsumer<String, String> onMessage) {
        StatefulRedisConnection<String, String> sc = client.connect(uri);
        try {
            return subscribed(sc, sc.async(), sc.sync(), client.connectPubSub(uri), channel, onMessage);
        } catch (RuntimeException e) {
            sc.close();
            throw e;
        }
    }

    private static RedisLink subscribed(StatefulConnection<String, String> connection,
            RedisClusterAsyncCommands<String, String> async, RedisClusterCommands<String, String> sync,
            StatefulRedisPubSubConnection<String, String> subscription, String channel,
            BiConsumer<String, String> onMessage) {
        try {
            subscription.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String ch, String message) {
                    onMessage.accept(ch, message);
                }
            });
            subscription.sync().subscribe(channel);
            return new RedisLink(connection, async, sync, subscription);
        } catch (RuntimeException e) {
            subscription.close();
            throw e;
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
            if (node.getRole().isUpstream() && RedisEndpoint.live(node) && !node.getSlots().isEmpty()) {
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
        } finally {
            connection.close();
        }
    }
}
