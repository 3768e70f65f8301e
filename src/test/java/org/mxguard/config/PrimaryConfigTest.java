package org.mxguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.primary.PrimarySettings;
import org.mxguard.primary.ProbeSettings;

class PrimaryConfigTest {

    @TempDir
    Path dir;

    @Test
    void theDefaultsProbeAndReadNoLog() throws Exception {
        Path file = dir.resolve("mxguard.yaml");
        Files.writeString(file, "protected-domains: [example.org]\n");
        PrimarySettings p = ConfigLoader.load(file).primary();
        assertThat(p.logFiles()).isEmpty();
        assertThat(p.syslog().enabled()).isFalse();
        assertThat(p.probe()).isEqualTo(ProbeSettings.DEFAULTS);
        assertThat(p.probe().enabled()).isTrue();
        assertThat(p.probe().downAfter()).isEqualTo(3);
        assertThat(p.probe().upAfter()).isEqualTo(2);
        assertThat(p.pollInterval()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void everyKeyIsRead() throws Exception {
        Path file = dir.resolve("mxguard.yaml");
        Files.writeString(file, """
                protected-domains: [example.org]
                primary:
                  log-files: [ /var/log/mail.log, /var/log/maillog ]
                  poll-interval: 500ms
                  syslog:
                    listen-udp: [ "127.0.0.1:5514" ]
                    listen-tcp: [ "127.0.0.1:5514", "[::1]:5514" ]
                    max-message-size: 16k
                    max-connections: 8
                    idle-timeout: 10m
                  probe:
                    enabled: false
                    interval: 30s
                    timeout: 5s
                    down-after: 4
                    up-after: 3
                """);
        PrimarySettings p = ConfigLoader.load(file).primary();
        assertThat(p.logFiles()).containsExactly(Path.of("/var/log/mail.log"), Path.of("/var/log/maillog"));
        assertThat(p.pollInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(p.syslog().udp()).containsExactly(new InetSocketAddress("127.0.0.1", 5514));
        assertThat(p.syslog().tcp()).hasSize(2);
        assertThat(p.syslog().maxMessage()).isEqualTo(16 * 1024);
        assertThat(p.syslog().maxConnections()).isEqualTo(8);
        assertThat(p.syslog().idleTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(p.probe()).isEqualTo(new ProbeSettings(false, Duration.ofSeconds(30), Duration.ofSeconds(5), 4, 3));
    }

    @Test
    void badValuesAreNamedWithFileAndLine() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                protected-domains: [example.org]
                primary:
                  syslog:
                    listen-tcp: [ "127.0.0.1:notaport" ]
                    max-message-size: 100
                  probe:
                    down-after: 0
                    every: 5s
                """);
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.problems()).satisfiesExactly(
                        p -> assertThat(p).startsWith(file + ":4: primary.syslog.listen-tcp: "),
                        p -> assertThat(p).startsWith(file + ":5: primary.syslog.max-message-size: must be at least "
                                + "480 bytes"),
                        p -> assertThat(p).startsWith(file + ":7: primary.probe.down-after: "),
                        p -> assertThat(p).startsWith(file + ":8: primary.probe.every: unknown key")));
    }
}
