package org.mxguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mxguard.mail.Reply;

/** The small pure parts of delivery: route syntax, backoff, log number format, reply parsing. */
class DeliveryValuesTest {

    @Test
    void staticRoutesParseLikePostfixNexthops() {
        assertThat(StaticRoute.parse("[mx.example]:2525")).isEqualTo(new StaticRoute("mx.example", 2525));
        assertThat(StaticRoute.parse("[192.0.2.1]")).isEqualTo(new StaticRoute("192.0.2.1", 25));
        assertThat(StaticRoute.parse("[2001:db8::1]:26")).isEqualTo(new StaticRoute("2001:db8::1", 26));
        assertThat(StaticRoute.parse("mx.example:25")).isEqualTo(new StaticRoute("mx.example", 25));
        assertThatThrownBy(() -> StaticRoute.parse("[mx.example:25")).hasMessageContaining("missing ']'");
        assertThatThrownBy(() -> StaticRoute.parse("[mx.example]:x")).hasMessageContaining("bad port");
        assertThatThrownBy(() -> StaticRoute.parse("[mx.example]:70000")).hasMessageContaining("out of range");
    }

    @Test
    void backoffIsTheMessageAgeClampedAndJittered() {
        DeliverySettings settings = DeliverySettings.defaults("mx.test");
        RetryPolicy policy = new RetryPolicy(settings, new Random(5));
        Instant received = Instant.parse("2026-11-20T00:00:00Z");
        // Jitter never goes below the minimum or above the maximum.
        assertThat(Duration.between(received, policy.nextAttempt(received, received)).toSeconds()).isBetween(300L, 330L);
        Instant at1000 = received.plusSeconds(1000);
        assertThat(Duration.between(at1000, policy.nextAttempt(received, at1000)).toSeconds()).isBetween(900L, 1100L);
        Instant late = received.plus(Duration.ofDays(2));
        assertThat(Duration.between(late, policy.nextAttempt(received, late)).toSeconds()).isBetween(3600L, 4000L);
        Instant almost = received.plus(Duration.ofDays(5)).minusSeconds(60);
        assertThat(policy.nextAttempt(received, almost)).isEqualTo(received.plus(Duration.ofDays(5)));
        assertThat(policy.expired(received, received.plus(Duration.ofDays(5)))).isTrue();
        assertThat(policy.expired(received, almost)).isFalse();
    }

    @Test
    void settingsRejectNonsenseWithTheFieldName() {
        DeliverySettings defaults = DeliverySettings.defaults("mx.test");
        assertThatThrownBy(() -> defaults.withRetry(Duration.ofSeconds(600), Duration.ofSeconds(60), 0.1,
                Duration.ofDays(5))).hasMessageContaining("delivery.max-backoff");
        assertThatThrownBy(() -> defaults.withRetry(Duration.ofSeconds(60), Duration.ofSeconds(600), 1.5,
                Duration.ofDays(5))).hasMessageContaining("delivery.jitter");
        assertThatThrownBy(() -> DeliverySettings.defaults(" ")).hasMessageContaining("delivery.hostname");
    }

    @Test
    void delaysAreWrittenAsPostfixWritesThem() {
        assertThat(DeliveryLog.seconds(Duration.ZERO)).isEqualTo("0");
        assertThat(DeliveryLog.seconds(Duration.ofMillis(70))).isEqualTo("0.07");
        assertThat(DeliveryLog.seconds(Duration.ofMillis(600))).isEqualTo("0.6");
        assertThat(DeliveryLog.seconds(Duration.ofMillis(1240))).isEqualTo("1.2");
        assertThat(DeliveryLog.seconds(Duration.ofSeconds(3141))).isEqualTo("3141");
    }

    @Test
    void repliesKeepTheirEnhancedStatusOnlyWhenTheClassMatches() {
        Reply ok = ClientConnection.toReply(250, List.of("2.0.0 Ok: queued as X", "2.0.0 more"));
        assertThat(ok.toString()).isEqualTo("250 2.0.0 Ok: queued as X");
        assertThat(ok.lines()).containsExactly("Ok: queued as X", "more");
        Reply mismatched = ClientConnection.toReply(550, List.of("4.7.1 odd server"));
        assertThat(mismatched.status()).isNull();
        assertThat(mismatched.toString()).isEqualTo("550 4.7.1 odd server");
    }

    @Test
    void longXforwardAttributesAreSplitIntoCommandsThatFit() throws Exception {
        String longName = "a".repeat(60) + "." + "b".repeat(60) + "." + "c".repeat(60) + "." + "d".repeat(60) + ".example";
        org.mxguard.mail.ClientInfo client = new org.mxguard.mail.ClientInfo(
                java.net.InetAddress.getByName("192.0.2.1"), 25, longName, longName, "ESMTP", null);
        List<String> commands = Xforward.commands(client, "NAME ADDR PORT PROTO HELO");
        assertThat(commands).hasSize(2);
        assertThat(commands).allSatisfy(c -> assertThat(c.length()).isLessThanOrEqualTo(510));
        assertThat(String.join(" ", commands)).contains("NAME=" + longName, "ADDR=192.0.2.1", "PORT=25",
                "HELO=" + longName, "PROTO=ESMTP");
    }

    @Test
    void xforwardValuesAreXtext() {
        assertThat(Xforward.xtext("host.example")).isEqualTo("host.example");
        assertThat(Xforward.xtext("a b+c=d")).isEqualTo("a+20b+2Bc+3Dd");
    }
}
