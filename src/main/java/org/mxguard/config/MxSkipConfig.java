package org.mxguard.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.mxguard.evidence.Aggregate;
import org.mxguard.evidence.MxSkipSettings;
import org.mxguard.evidence.RedisSettings;
import org.mxguard.evidence.StoreSettings;
import org.mxguard.mail.Reply;
import org.mxguard.policy.Cidr;

/** The {@code mx-skip} and {@code evidence} sections. */
final class MxSkipConfig {

    private MxSkipConfig() {
    }

    static MxSkipSettings mxSkip(Section s) {
        MxSkipSettings d = MxSkipSettings.defaults();
        MxSkipSettings.Mode mode = s.value("mode", d.mode(), MxSkipSettings.Mode::parse);
        Duration window = ConfigLoader.positive(s, "window", d.window());
        Duration retry = ConfigLoader.positive(s, "retry-interval", d.retryInterval());
        Duration credit = ConfigLoader.positive(s, "credit-lifetime", d.creditLifetime());
        Reply reply = s.value("reply", d.reply(), text -> ConfigLoader.reply(text, 4));
        List<Cidr> allow = s.list("allow", List.of(), Cidr::parse);
        Section b = s.section("blocks");
        MxSkipSettings.BlockThresholds t = MxSkipSettings.BlockThresholds.DEFAULTS;
        boolean enabled = b.bool("enabled", t.enabled());
        int minClients = (int) b.integer("min-clients", t.minClients(), 2, Aggregate.MAX_CLIENTS);
        double share = b.value("min-null-sender-share", t.minNullSenderShare(), MxSkipConfig::share);
        Duration expiry = ConfigLoader.positive(b, "expiry", t.expiry());
        b.finish();
        s.finish();
        return new MxSkipSettings(mode, window, retry, credit, reply, allow,
                new MxSkipSettings.BlockThresholds(enabled, minClients, share, expiry));
    }

    static StoreSettings evidence(Section s, Path spoolDirectory, MxSkipSettings mxSkip, String hostname) {
        String store = s.string("store", "embedded");
        if (!store.equals("embedded") && !store.equals("redis")) {
            s.problem("store", "must be 'embedded' or 'redis', not '" + store + "'");
        }
        RedisSettings redis = null;
        if (store.equals("redis") && !s.has("redis")) {
            s.problem("store", "'redis' needs a redis section with its addresses");
        } else if (s.has("redis")) {
            // Read (and so checked) even with the embedded store, so switching stores is one line.
            RedisSettings r = redis(s.section("redis"), hostname, store.equals("redis"));
            redis = store.equals("redis") ? r : null;
        }
        StoreSettings d = StoreSettings.defaults(spoolDirectory.resolve("evidence"));
        Path directory = s.path("directory", d.directory());
        int v4 = (int) s.integer("client-prefix-v4", d.groupV4(), 8, 32);
        int v6 = (int) s.integer("client-prefix-v6", d.groupV6(), 16, 128);
        // Contacts must outlive the window that trusts them; attempts must outlive the retry interval.
        Duration contacts = max(ConfigLoader.positive(s, "contact-retention", d.contactRetention()), mxSkip.window());
        Duration attempts = max(d.attemptRetention(), mxSkip.retryInterval().multipliedBy(2));
        Duration aggregates = ConfigLoader.positive(s, "aggregate-retention", d.aggregateRetention());
        s.finish();
        Duration writeInterval = redis == null ? d.writeInterval() : Duration.ofMillis(50);
        return new StoreSettings(directory, v4, v6, contacts, attempts, aggregates, writeInterval, redis);
    }

    private static RedisSettings redis(Section s, String hostname, boolean used) {
        boolean given = s.has("addresses");
        List<String> addresses = s.list("addresses", List.of(), MxSkipConfig::redisUri);
        boolean cluster = s.bool("cluster", false);
        String user = s.string("user", null);
        Path passwordFile = s.path("password-file", null);
        String password = null;
        if (passwordFile != null) {
            try {
                password = Files.readString(passwordFile).strip();
            } catch (IOException e) {
                s.problem("password-file", "cannot be read: " + e.getMessage());
            }
        }
        Path caFile = s.path("ca-file", null);
        if (caFile != null && !Files.isReadable(caFile)) {
            s.problem("ca-file", "cannot be read: " + caFile);
        }
        String prefix = s.string("key-prefix", "mxguard:");
        String host = s.string("host-name", hostname);
        Duration timeout = ConfigLoader.positive(s, "timeout", Duration.ofSeconds(2));
        if (addresses.isEmpty() && used && !given) {
            s.problem("addresses", "needs at least one redis:// address");
        }
        boolean sentinel = addresses.stream().anyMatch(a -> a.contains("-sentinel://"));
        if (sentinel && (cluster || addresses.size() > 1)) {
            s.problem("addresses", "a redis-sentinel:// URI names all the sentinels itself "
                    + "(redis-sentinel://h1:26379,h2:26379#master) and stands alone, without cluster: true");
        } else if (addresses.size() > 1 && !cluster) {
            s.problem("addresses", "several addresses are the seeds of a Redis Cluster (add cluster: true); "
                    + "for a primary with replicas give one redis-sentinel:// URI");
        }
        s.finish();
        try {
            return new RedisSettings(addresses.isEmpty() ? List.of("redis://127.0.0.1:6379") : addresses, cluster, user,
                    password, caFile, prefix, host, timeout);
        } catch (IllegalArgumentException e) {
            s.problem("key-prefix", e.getMessage());
            return null;
        }
    }

    private static String redisUri(String text) {
        if (!text.matches("(redis|rediss|redis-sentinel|rediss-sentinel)://.+")) {
            throw new IllegalArgumentException("not a Redis URI (redis://host:port, rediss://..., "
                    + "redis-sentinel://host:port,host:port#master): '" + text + "'");
        }
        if (text.contains("-sentinel://") && text.indexOf('#') < 0) {
            throw new IllegalArgumentException("a redis-sentinel:// URI ends with the master's name as the sentinels "
                    + "know it (#mymaster): '" + text + "'");
        }
        try {
            io.lettuce.core.RedisURI.create(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a Redis URI: '" + text + "': " + e.getMessage(), e);
        }
        return text;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static double share(String text) {
        double v;
        try {
            v = text.endsWith("%") ? Double.parseDouble(text.substring(0, text.length() - 1)) / 100
                    : Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a share: '" + text + "' (write 0.5 or 50%)", e);
        }
        if (v < 0 || v > 1) {
            throw new IllegalArgumentException("a share lies between 0 and 1 (or 0% and 100%), not " + text);
        }
        return v;
    }
}
