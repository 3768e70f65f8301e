package org.mxguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.mail.Domain;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void theShippedExampleLoads() throws ConfigException {
        MxguardConfig config = ConfigLoader.load(Path.of("examples/backup-mx.yaml"));
        assertThat(config.smtp().protectedDomains()).containsExactly("example.org", ".example.org");
        assertThat(config.smtp().listen().getFirst().getPort()).isEqualTo(2525);
        assertThat(config.policy().rulesFile()).isEqualTo(Path.of("examples/access.rules"));
        assertThat(config.log().file()).isNull();
        assertThat(config.controlSocket()).isEqualTo(Path.of("var/spool/control.sock"));
        assertThat(config.policyService().listen().getPort()).isEqualTo(10040);
    }

    @Test
    void defaultsFollowPostfix() throws Exception {
        Path file = dir.resolve("min.yaml");
        Files.writeString(file, "protected-domains: [example.org]\n");
        MxguardConfig config = ConfigLoader.load(file);
        assertThat(config.smtp().maxRecipients()).isEqualTo(100);
        assertThat(config.smtp().relayDeniedCode()).isEqualTo(550);
        assertThat(config.delivery().enabled()).isTrue();
        assertThat(config.delivery().settings().lifetime()).isEqualTo(Duration.ofDays(5));
        assertThat(config.delivery().settings().minBackoff()).isEqualTo(Duration.ofSeconds(300));
        assertThat(config.log().syslogName()).isEqualTo("postfix-mxguard");
    }

    @Test
    void everyProblemIsReportedWithFileLineAndKey() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                protected-domains: [example.org]
                smtp:
                  relay-denied-code: 500
                delivery:
                  min-backoff: 1h
                  max-backoff: 5m
                  routes:
                    example.org: "[127.0.0.1]:notaport"
                  tls: sometimes
                policy:
                  tempfail-reply: 550 5.7.1 No
                unknown-section: {}
                """);
        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        file + ":3: smtp.relay-denied-code: must be 550 (refuse) or 454 (try later), not 500",
                        file + ":6: delivery.max-backoff: is shorter than min-backoff",
                        file + ":8: delivery.routes: example.org: static route: bad port in [127.0.0.1]:notaport",
                        file + ":9: delivery.tls: must be one of [none, may, verify], not 'sometimes'",
                        file + ":11: policy.tempfail-reply: must be a 4xx reply, not 550",
                        file + ":12: unknown-section: unknown key (known keys: admin, control, delivery, dns, evidence, "
                                + "hostname, log, mx-skip, policy, policy-service, primary, protected-domains, smtp, spool)"));
    }

    @Test
    void thePolicyServiceIsOffUnlessConfigured() throws Exception {
        Path off = dir.resolve("off.yaml");
        Files.writeString(off, "protected-domains: [example.org]\n");
        assertThat(ConfigLoader.load(off).policyService()).isNull();
        Path on = dir.resolve("on.yaml");
        Files.writeString(on, """
                protected-domains: [example.org]
                policy-service:
                  listen: 127.0.0.1:10041
                  primary: mx1.example.org
                  enforce-blocks: true
                  idle-timeout: 10m
                """);
        var settings = ConfigLoader.load(on).policyService();
        assertThat(settings.listen().getPort()).isEqualTo(10041);
        assertThat(settings.listen().getAddress().isLoopbackAddress()).isTrue();
        assertThat(settings.primary()).isEqualTo("mx1.example.org");
        assertThat(settings.enforceBlocks()).isTrue();
        assertThat(settings.idleTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(settings.maxConnections()).isEqualTo(1000);
        Path defaults = dir.resolve("defaults.yaml");
        Files.writeString(defaults, "protected-domains: [example.org]\npolicy-service: {}\n");
        assertThat(ConfigLoader.load(defaults).policyService().listen().getPort()).isEqualTo(10040);
        assertThat(ConfigLoader.load(defaults).policyService().enforceBlocks()).isFalse();
        Path bad = dir.resolve("bad-service.yaml");
        Files.writeString(bad, "protected-domains: [example.org]\npolicy-service:\n  max-attributes: 2\n  port: 1\n");
        assertThatThrownBy(() -> ConfigLoader.load(bad))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        bad + ":3: policy-service.max-attributes: must be between 16 and 10000, not 2",
                        bad + ":4: policy-service.port: unknown key (known keys: enforce-blocks, idle-timeout, listen, "
                                + "max-attributes, max-connections, max-line-length, primary)"));
    }

    @Test
    void protectedDomainsAreRequired() throws Exception {
        Path file = dir.resolve("none.yaml");
        Files.writeString(file, "hostname: mx2.example\n");
        assertThatThrownBy(() -> ConfigLoader.load(file)).hasMessageContaining(
                "protected-domains: required: the domains this backup MX accepts mail for");
        assertThat(Domain.parse("example.org")).isNotNull();
    }

    @Test
    void aShortHexadecimalEscapeIsAProblemWithFileAndLineNotACrash() {
        // Found by the 10-million-execution run of ConfigLoaderFuzzTest: an escape cut by the end of the
        // file made the YAML library throw NumberFormatException, so check-config and serve died with a
        // stack trace.
        Path file = Path.of("mxguard.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(file, "hostname: mx2.example\nsmtp:\n  greeting: \"a\\x"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("mxguard.yaml:3: not valid YAML: an escape \\x, \\u or \\U in double quotes needs 2, 4 "
                        + "or 8 hexadecimal digits");
        for (String escape : List.of("\\x7", "\\u", "\\u00", "\\U0001F6", "\\xg", "\\u00g1\"")) {
            assertThatThrownBy(() -> ConfigLoader.load(file, "hostname: mx2.example\nsmtp:\n  greeting: \"a" + escape))
                    .as(escape).isInstanceOf(ConfigException.class).hasMessageStartingWith("mxguard.yaml:3: not valid YAML");
        }
    }

    @Test
    void aMissingFileIsNamed() {
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("absent.yaml")))
                .hasMessage(dir.resolve("absent.yaml") + ": no such file");
    }
}
