package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.config.ConfigLoader;
import org.mxguard.config.MxguardConfig;
import org.mxguard.evidence.MxSkipSettings;
import org.mxguard.delivery.StaticRoute;
import org.mxguard.mail.Domain;

/** The file the tests' builder writes is what the real loader reads, key by key. */
class ServeConfigTest {

    @TempDir
    Path dir;

    @Test
    void theDefaultsAreALoopbackServerInTheTestsDirectory() throws Exception {
        MxguardConfig config = ConfigLoader.load(ServeConfig.in(dir).write());
        assertThat(config.source()).isEqualTo(dir.resolve("mxguard.yaml"));
        assertThat(config.smtp().hostname()).isEqualTo("backup.test");
        assertThat(config.smtp().protectedDomains()).containsExactly("protected.test");
        assertThat(config.smtp().listen()).containsExactly(new InetSocketAddress("127.0.0.1", 0));
        assertThat(config.spool().directory()).isEqualTo(dir.resolve("spool"));
        assertThat(config.spool().minFreeBytes()).isZero();
        assertThat(config.log().file()).isEqualTo(dir.resolve("mail.log"));
        assertThat(config.clientNameLookup()).isFalse();
        assertThat(config.delivery().enabled()).isTrue();
        assertThat(config.primary().probe().enabled()).isTrue();
    }

    @Test
    void namedSettingsAndFreeTextLandUnderTheirSections() throws Exception {
        MxguardConfig config = ConfigLoader.load(ServeConfig.in(dir).hostname("mx2.test")
                .protectedDomains("protected.test", ".protected.test").smtpPort(2525).withoutDelivery()
                .route("protected.test", 1).route("other.test", "[127.0.0.3]:2526").retries("2s", "1s")
                .withoutPrimaryProbe().evidence(dir.resolve("evidence")).mxSkip("enforce")
                .set("mx-skip.retry-interval", "7m")
                .yaml("mx-skip", """
                          blocks:
                            min-clients: 3
                        """)
                .yaml("admin:\n  listen: 127.0.0.1:0\n").write(dir.resolve("other.yaml")));
        assertThat(config.smtp().hostname()).isEqualTo("mx2.test");
        assertThat(config.smtp().protectedDomains()).containsExactly("protected.test", ".protected.test");
        assertThat(config.smtp().listen()).containsExactly(new InetSocketAddress("127.0.0.1", 2525));
        assertThat(config.delivery().enabled()).isFalse();
        assertThat(config.delivery().settings().routes()).isEqualTo(Map.of(
                Domain.parse("protected.test"), new StaticRoute("127.0.0.1", 1),
                Domain.parse("other.test"), new StaticRoute("127.0.0.3", 2526)));
        assertThat(config.delivery().settings().minBackoff()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.delivery().settings().maxBackoff()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.primary().probe().enabled()).isFalse();
        assertThat(config.evidence().directory()).isEqualTo(dir.resolve("evidence"));
        assertThat(config.mxSkip().mode()).isEqualTo(MxSkipSettings.Mode.ENFORCE);
        assertThat(config.mxSkip().retryInterval()).isEqualTo(Duration.ofMinutes(7));
        assertThat(config.mxSkip().blocks().minClients()).isEqualTo(3);
        assertThat(config.admin().listen()).isEqualTo(new InetSocketAddress("127.0.0.1", 0));
        assertThat(config.source()).isEqualTo(dir.resolve("other.yaml"));
    }

    @Test
    void redisIsTheStoreAtTheGivenAddresses() throws Exception {
        MxguardConfig config = ConfigLoader.load(ServeConfig.in(dir).redis("redis://127.0.0.1:6390").write());
        assertThat(config.evidence().redis().addresses()).containsExactly("redis://127.0.0.1:6390");
    }
}
