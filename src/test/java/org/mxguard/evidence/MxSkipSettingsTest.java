package org.mxguard.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How early a retry may come and still earn credit. */
class MxSkipSettingsTest {

    private static MxSkipSettings every(Duration interval) {
        MxSkipSettings d = MxSkipSettings.defaults();
        return new MxSkipSettings(d.mode(), d.window(), interval, d.creditLifetime(), d.reply(), List.of(), d.blocks());
    }

    @Test
    void theToleranceIsFivePercentAtLeastTenSecondsAtMostATenth() {
        assertThat(every(Duration.ofMinutes(5)).retryTolerance()).isEqualTo(Duration.ofSeconds(15));
        assertThat(every(Duration.ofHours(1)).retryTolerance()).isEqualTo(Duration.ofMinutes(3));
        assertThat(every(Duration.ofMinutes(2)).retryTolerance()).isEqualTo(Duration.ofSeconds(10));
        assertThat(every(Duration.ofSeconds(30)).retryTolerance()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void aRetryWithinTheToleranceEarnsCreditAndAQuickResendDoesNot() {
        MxSkipSettings s = every(Duration.ofMinutes(5));
        assertThat(s.earnsCredit(Duration.ofSeconds(299))).as("Postfix a second early").isTrue();
        assertThat(s.earnsCredit(Duration.ofSeconds(285))).isTrue();
        assertThat(s.earnsCredit(Duration.ofSeconds(284))).isFalse();
        assertThat(s.earnsCredit(Duration.ZERO)).isFalse();
    }
}
