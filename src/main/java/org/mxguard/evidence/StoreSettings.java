package org.mxguard.evidence;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@code evidence} section: where the embedded store keeps its file and how long it remembers.
 *
 * @param directory where the store file ({@code evidence.mv.db}) lives
 * @param groupV4 the IPv4 prefix length under which addresses count as one client (32: each address)
 * @param groupV6 the IPv6 prefix length under which addresses count as one client (64: one site)
 * @param contactRetention how long a primary contact is kept (at least the MX-skip window)
 * @param attemptRetention how long a refused (client, sender, recipient) is kept waiting for its retry
 * @param aggregateRetention how long a source's caught clients are summed after its last catch
 * @param writeInterval how often changes are written to disk (or to Redis)
 * @param redis the fleet's shared Redis ({@code store: redis}), or null for the embedded store
 */
public record StoreSettings(Path directory, int groupV4, int groupV6, Duration contactRetention,
        Duration attemptRetention, Duration aggregateRetention, Duration writeInterval, RedisSettings redis) {

    /** The embedded store's settings. */
    public StoreSettings(Path directory, int groupV4, int groupV6, Duration contactRetention,
            Duration attemptRetention, Duration aggregateRetention, Duration writeInterval) {
        this(directory, groupV4, groupV6, contactRetention, attemptRetention, aggregateRetention, writeInterval, null);
    }

    public StoreSettings {
        Objects.requireNonNull(directory, "directory");
        if (groupV4 < 8 || groupV4 > 32 || groupV6 < 16 || groupV6 > 128) {
            throw new IllegalArgumentException("client group prefix out of range: /" + groupV4 + " /" + groupV6);
        }
    }

    public static StoreSettings defaults(Path directory) {
        return new StoreSettings(directory, 32, 64, Duration.ofDays(7), Duration.ofDays(5), Duration.ofDays(2),
                Duration.ofMillis(200));
    }

    public StoreSettings withRedis(RedisSettings fleet) {
        return new StoreSettings(directory, groupV4, groupV6, contactRetention, attemptRetention, aggregateRetention,
                writeInterval, fleet);
    }

    public StoreSettings withWriteInterval(Duration interval) {
        return new StoreSettings(directory, groupV4, groupV6, contactRetention, attemptRetention, aggregateRetention,
                interval, redis);
    }

    /** How long a source stays covered: as long as the longest-lived reason for it (contact or credit) could. */
    Duration coveredRetention() {
        return contactRetention.compareTo(attemptRetention) > 0 ? contactRetention : attemptRetention;
    }
}
