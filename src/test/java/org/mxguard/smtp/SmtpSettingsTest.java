package org.mxguard.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmtpSettingsTest {

    @Test
    void defaultsFollowRfc5321AndPostfix() {
        SmtpSettings defaults = SmtpSettings.defaults();
        assertThat(defaults.maxCommandLine()).isEqualTo(512);
        assertThat(defaults.lineLengthLimit()).isEqualTo(2048);
        assertThat(defaults.maxRecipients()).isEqualTo(100);
        assertThat(defaults.maxMessageSize()).isEqualTo(10_240_000);
        assertThat(defaults.commandTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(defaults.relayDeniedCode()).isEqualTo(550);
        assertThat(defaults.bareLineFeed()).isEqualTo(SmtpSettings.BareLineFeed.REJECT);
        assertThat(defaults.tlsEnabled()).isFalse();
    }

    @Test
    void limitsBelowTheRfcMinimumsAreRefusedByName() {
        SmtpSettings d = SmtpSettings.defaults();
        assertThatThrownBy(() -> new SmtpSettings(d.hostname(), d.listen(), d.protectedDomains(), 550, null, false,
                511, 1000, 1, 1, 1, 1, d.commandTimeout(), d.dataTimeout(), 1, null, null, d.bareLineFeed(),
                d.pregreetWait(), d.nameLookupTimeout(), 100, List.of())).hasMessageContaining("maxCommandLine");
        assertThatThrownBy(() -> new SmtpSettings(d.hostname(), d.listen(), d.protectedDomains(), 550, null, false,
                512, 999, 1, 1, 1, 1, d.commandTimeout(), d.dataTimeout(), 1, null, null, d.bareLineFeed(),
                d.pregreetWait(), d.nameLookupTimeout(), 100, List.of())).hasMessageContaining("lineLengthLimit");
        assertThatThrownBy(() -> d.withRelayControl(451, null, false)).hasMessageContaining("relayDeniedCode");
        assertThatThrownBy(() -> d.withLimits(0, 100, 100, 50, 20)).hasMessageContaining("maxMessageSize");
        assertThatThrownBy(() -> d.withHostname("mx 2")).hasMessageContaining("hostname");
        assertThatThrownBy(() -> d.withListen(List.of())).hasMessageContaining("listen");
        assertThatThrownBy(() -> d.withTls(Path.of("cert.pem"), null)).hasMessageContaining("tlsKey");
    }
}
