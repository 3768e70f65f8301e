package org.mxguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.evidence.MxSkipSettings;
import org.mxguard.policy.Cidr;

class MxSkipConfigTest {

    @TempDir
    Path dir;

    @Test
    void defaultsObserveAndKeepTheStoreInTheSpool() throws Exception {
        Path file = dir.resolve("min.yaml");
        Files.writeString(file, "protected-domains: [example.org]\nspool:\n  directory: " + dir.resolve("q") + "\n");
        MxguardConfig config = ConfigLoader.load(file);
        assertThat(config.mxSkip().mode()).isEqualTo(MxSkipSettings.Mode.OBSERVE);
        assertThat(config.mxSkip().window()).isEqualTo(Duration.ofHours(24));
        assertThat(config.mxSkip().retryInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.mxSkip().reply().toString()).startsWith("451 4.7.1 Relaying Denied: deliver to the primary MX");
        assertThat(config.mxSkip().blocks().expiry()).isEqualTo(Duration.ofDays(7));
        assertThat(config.evidence().directory()).isEqualTo(dir.resolve("q").resolve("evidence"));
    }

    @Test
    void everyKeyIsRead() throws Exception {
        Path file = dir.resolve("full.yaml");
        Files.writeString(file, """
                protected-domains: [example.org]
                mx-skip:
                  mode: enforce
                  window: 12h
                  retry-interval: 10m
                  credit-lifetime: 3d
                  reply: 450 4.7.1 Try {primary}
                  allow: [192.0.2.0/24, 2001:db8::/32]
                  blocks:
                    enabled: false
                    min-clients: 10
                    min-null-sender-share: 80%
                    expiry: 2d
                evidence:
                  store: embedded
                  directory: /var/lib/mxguard/evidence
                  client-prefix-v6: 56
                  contact-retention: 1h
                """);
        MxguardConfig config = ConfigLoader.load(file);
        MxSkipSettings m = config.mxSkip();
        assertThat(m.mode()).isEqualTo(MxSkipSettings.Mode.ENFORCE);
        assertThat(m.retryInterval()).isEqualTo(Duration.ofMinutes(10));
        assertThat(m.reply().code()).isEqualTo(450);
        assertThat(m.allow()).containsExactly(Cidr.parse("192.0.2.0/24"), Cidr.parse("2001:db8::/32"));
        assertThat(m.blocks().minNullSenderShare()).isEqualTo(0.8);
        assertThat(m.blocks().enabled()).isFalse();
        assertThat(config.evidence().groupV6()).isEqualTo(56);
        assertThat(config.evidence().contactRetention()).as("never shorter than the window").isEqualTo(Duration.ofHours(12));
    }

    @Test
    void badValuesNameFileLineAndKey() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                protected-domains: [example.org]
                mx-skip:
                  mode: strict
                  reply: 550 5.7.1 Go away
                  allow: [192.0.2.1/24]
                  blocks:
                    min-null-sender-share: 2
                evidence:
                  store: cassandra
                """);
        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        file + ":3: mx-skip.mode: must be off, observe or enforce, not 'strict'",
                        file + ":4: mx-skip.reply: must be a 4xx reply, not 550",
                        file + ":5: mx-skip.allow: host bits set in 192.0.2.1/24; the network is 192.0.2.0/24",
                        file + ":7: mx-skip.blocks.min-null-sender-share: a share lies between 0 and 1 (or 0% and 100%), not 2",
                        file + ":9: evidence.store: must be 'embedded' or 'redis', not 'cassandra'"));
    }
    @Test
    void aSentinelAddressNamesItsMasterAndStandsAlone() throws Exception {
        Path file = dir.resolve("sentinel.yaml");
        Files.writeString(file, """
                protected-domains: [example.org]
                evidence:
                  store: redis
                  redis:
                    addresses: [ "redis-sentinel://127.0.0.1:26379,127.0.0.1:26380" ]
                """);
        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement()
                        .asString().startsWith(file + ":5: evidence.redis.addresses: ")
                        .contains("ends with the master's name as the sentinels know it (#mymaster)"));

        Files.writeString(file, """
                protected-domains: [example.org]
                evidence:
                  store: redis
                  redis:
                    addresses: [ "redis://127.0.0.1:6379", "redis://127.0.0.1:6380" ]
                """);
        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement()
                        .asString().contains("evidence.redis.addresses: several addresses are the seeds of a Redis "
                                + "Cluster (add cluster: true)"));

        Files.writeString(file, """
                protected-domains: [example.org]
                evidence:
                  store: redis
                  redis:
                    addresses: [ "redis-sentinel://127.0.0.1:26379,127.0.0.1:26380/0#mx" ]
                """);
        assertThat(ConfigLoader.load(file).evidence().redis().addresses())
                .containsExactly("redis-sentinel://127.0.0.1:26379,127.0.0.1:26380/0#mx");
    }
}
