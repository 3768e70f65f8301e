package org.mxguard.evidence;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The {@code evidence.redis} section: how the fleet's hosts reach their shared Redis.
 *
 * @param addresses Redis URIs as Lettuce and redis-cli users write them: one {@code redis://} or
 *     {@code rediss://} (TLS) node, one {@code redis-sentinel://h1:26379,h2:26379/0#mymaster}, or the
 *     seeds of a cluster
 * @param cluster true when {@code addresses} are Redis Cluster seeds
 * @param user the ACL user, or null for the default user
 * @param password the password (read from {@code password-file}), or null
 * @param caFile PEM certificates trusted for {@code rediss://}, or null for the JVM's trust store
 * @param keyPrefix put in front of every key and the channel, so several fleets share one Redis
 * @param host this host's name in the fleet, recorded with each block it makes
 * @param timeout how long a command, or a connection attempt, may take before Redis counts as gone
 */
public record RedisSettings(List<String> addresses, boolean cluster, String user, String password, Path caFile,
        String keyPrefix, String host, Duration timeout) {

    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    public RedisSettings {
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("at least one address (redis://host:port) is needed");
        }
        Objects.requireNonNull(host, "host");
        // The prefix goes into a SCAN pattern: no glob characters.
        if (!PREFIX.matcher(keyPrefix).matches()) {
            throw new IllegalArgumentException("key-prefix must be 1 to 64 letters, digits and _ . : -, not '"
                    + keyPrefix + "'");
        }
        if (host.isEmpty() || host.indexOf(':') >= 0 || host.indexOf('\t') >= 0 || host.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("the fleet host name must be a name without ':' or spaces: '" + host
                    + "'");
        }
    }

    /** {@code mxguard:} on a local Redis, for tests and the benchmark. */
    public static RedisSettings local(String uri, String host) {
        return new RedisSettings(List.of(uri), false, null, null, null, "mxguard:", host, Duration.ofSeconds(2));
    }

    public RedisSettings withPrefix(String prefix) {
        return new RedisSettings(addresses, cluster, user, password, caFile, prefix, host, timeout);
    }

    public RedisSettings withCluster(List<String> seeds) {
        return new RedisSettings(seeds, true, user, password, caFile, keyPrefix, host, timeout);
    }

    /** The addresses without passwords, for logs. */
    public String where() {
        return String.join(",", addresses.stream().map(a -> a.replaceAll("//[^@/]*@", "//")).toList())
                + (cluster ? " (cluster)" : "");
    }
}
