package org.mxguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The delivery keys for recipient validation, the outbound CA file and the loop check's listen addresses. */
class DeliveryConfigTest {

    @TempDir
    Path dir;

    @Test
    void recipientValidationAndTheCaFileAreRead() throws Exception {
        Path recipients = Files.writeString(dir.resolve("relay_recipients"), "alice@example.org OK\n");
        Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        Path file = dir.resolve("mx.yaml");
        Files.writeString(file, """
                protected-domains: [example.org]
                smtp:
                  listen: [ "127.0.0.1:2525" ]
                delivery:
                  tls: verify
                  tls-ca-file: %s
                  recipients:
                    file: %s
                    verify: true
                    negative-expire: 1d
                """.formatted(ca, recipients));
        DeliveryConfig delivery = ConfigLoader.load(file).delivery();
        assertThat(delivery.settings().tlsCaFile()).isEqualTo(ca);
        assertThat(delivery.settings().listen()).extracting(a -> a.getPort()).containsExactly(2525);
        assertThat(delivery.recipients().file()).isEqualTo(recipients);
        assertThat(delivery.recipients().verify()).isTrue();
        assertThat(delivery.recipients().negativeExpire()).isEqualTo(Duration.ofDays(1));
        assertThat(delivery.recipients().positiveExpire()).isEqualTo(Duration.ofDays(31));
        assertThat(delivery.recipients().negativeRefresh()).isEqualTo(Duration.ofHours(3));
    }

    @Test
    void aBadLineInTheRecipientFileIsFoundByTheConfigurationCheck() throws Exception {
        Path recipients = Files.writeString(dir.resolve("relay_recipients"), "alice@example.org OK\nbob OK\n");
        Path file = dir.resolve("mx.yaml");
        Files.writeString(file, "protected-domains: [example.org]\ndelivery:\n  recipients:\n    file: "
                + recipients + "\n");
        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        file + ":4: delivery.recipients.file: " + recipients
                                + ":2: expected user@domain or @domain, not 'bob'"));
    }

    @Test
    void anEmptyDurationIsAProblemWithFileAndLineNotACrash() throws Exception {
        Path file = dir.resolve("empty.yaml");
        Files.writeString(file, "protected-domains: [example.org]\ndelivery:\n  min-backoff: \"\"\n");
        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        file + ":3: delivery.min-backoff: not a duration (use 500ms, 300s, 5m, 4h or 5d): ''"));
    }

    @Test
    void missingFilesAndInconsistentTimesAreProblemsWithFileAndLine() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                protected-domains: [example.org]
                delivery:
                  tls-ca-file: %s
                  recipients:
                    file: %s
                    positive-refresh: 40d
                """.formatted(dir.resolve("no-ca.pem"), dir.resolve("no-recipients")));
        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        file + ":3: delivery.tls-ca-file: cannot read " + dir.resolve("no-ca.pem"),
                        file + ":5: delivery.recipients.file: cannot read " + dir.resolve("no-recipients"),
                        file + ":6: delivery.recipients.positive-refresh: is longer than positive-expire"));
    }
}
