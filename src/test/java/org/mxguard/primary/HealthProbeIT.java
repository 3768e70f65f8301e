package org.mxguard.primary;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.delivery.DeliverySettings;
import org.mxguard.delivery.MutableClock;
import org.mxguard.delivery.PrimaryCheck;
import org.mxguard.delivery.SmtpTimeouts;
import org.mxguard.delivery.StaticRoute;
import org.mxguard.delivery.TlsMode;
import org.mxguard.dns.DnsClient;
import org.mxguard.dns.Dnsmasq;
import org.mxguard.mail.Domain;
import org.mxguard.maillog.MailLog;

/** The probe against in-test SMTP servers on loopback addresses, found through a real dnsmasq's MX records. */
class HealthProbeIT {

    @TempDir
    static Path dir;

    private static Dnsmasq dnsmasq;
    private static PrimarySmtp primary;
    private static PrimarySmtp second;
    private static PrimaryCheck check;

    private static final Domain PROTECTED = Domain.parse("protected.test");
    private static final Domain TWO = Domain.parse("two.test");
    private static final Domain BEST = Domain.parse("best.test");
    private static final Domain ROUTED = Domain.parse("routed.test");

    /** An SMTP server that greets, takes EHLO and QUIT, or greets with 421 when told to be down. */
    private static final class PrimarySmtp implements AutoCloseable {
        private final ServerSocket server;
        private volatile int banner = 220;
        private volatile String name = "primary.test";
        private volatile int sessions;

        PrimarySmtp(InetAddress address, int port) throws IOException {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(address, port));
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        sessions++;
                        converse(s);
                    } catch (IOException e) {
                        // The probe hung up or the test closed the server.
                    }
                }
            });
        }

        private void converse(Socket s) throws IOException {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            out.write((banner + " " + name + " ESMTP\r\n").getBytes(StandardCharsets.US_ASCII));
            if (banner != 220) {
                return;
            }
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("EHLO ")) {
                    out.write("250-primary.test\r\n250 PIPELINING\r\n".getBytes(StandardCharsets.US_ASCII));
                } else if (line.equals("QUIT")) {
                    out.write("221 2.0.0 Bye\r\n".getBytes(StandardCharsets.US_ASCII));
                    return;
                } else {
                    out.write("502 5.5.2 no\r\n".getBytes(StandardCharsets.US_ASCII));
                }
            }
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        primary = new PrimarySmtp(InetAddress.getByName("127.0.0.2"), 0);
        second = new PrimarySmtp(InetAddress.getByName("127.0.0.3"), primary.port());
        dnsmasq = Dnsmasq.start(dir, List.of(
                "mx-host=protected.test,primary.protected.test,10",
                "mx-host=protected.test,backup.protected.test,20",
                "host-record=primary.protected.test,127.0.0.2",
                "host-record=backup.protected.test,192.0.2.50",
                // Two primaries: the first does not listen, the second answers.
                "mx-host=two.test,down.two.test,10",
                "mx-host=two.test,up.two.test,15",
                "mx-host=two.test,backup.protected.test,20",
                "host-record=down.two.test,127.0.0.4",
                "host-record=up.two.test,127.0.0.3",
                // mxguard is the best MX: there is no primary to probe.
                "mx-host=best.test,backup.protected.test,10",
                "mx-host=best.test,other.best.test,20",
                "host-record=other.best.test,127.0.0.3"));
        DeliverySettings settings = DeliverySettings.defaults("backup.protected.test")
                .withIdentity(List.of(), List.of(), false)
                .withSmtpPort(primary.port())
                .withSmtp(SmtpTimeouts.all(Duration.ofSeconds(5)), TlsMode.NONE, 50)
                .withRoutes(Map.of(ROUTED, new StaticRoute("127.0.0.3", primary.port())));
        MailLog mailLog = new MailLog("backup.protected.test", "postfix-mxguard", Clock.systemUTC(), line -> { });
        check = new PrimaryCheck(settings, new DnsClient(dnsmasq.settings()), mailLog, Duration.ofSeconds(5));
    }

    @AfterAll
    static void stop() throws Exception {
        dnsmasq.close();
        primary.close();
        second.close();
    }

    private static HealthProbe probe(ProbeSettings settings) {
        return new HealthProbe(List.of(PROTECTED, TWO, BEST, ROUTED), check::check, settings, Clock.systemUTC());
    }

    @Test
    void primariesFromDnsAndStaticRoutesAreProbedByBannerEhloAndQuit() throws Exception {
        try (HealthProbe probe = probe(ProbeSettings.DEFAULTS)) {
            // Nothing is known before the first probe: the rule waits.
            assertThat(probe.primaryUp(PROTECTED)).isFalse();
            probe.probeAll();
            assertThat(probe.primaryUp(PROTECTED)).isTrue();
            assertThat(probe.primaryUp(TWO)).as("the second primary answers").isTrue();
            assertThat(probe.primaryUp(BEST)).as("mxguard is the best MX of best.test").isFalse();
            assertThat(probe.primaryUp(ROUTED)).as("static route").isTrue();
            assertThat(probe.primaryUp(Domain.parse("elsewhere.test"))).as("not probed").isTrue();
            assertThat(probe.status().get(PROTECTED)).startsWith("UP since ");
        }
        assertThat(check.check(BEST).detail()).contains("loops back to myself");
        assertThat(check.check(TWO).detail()).isEqualTo("up.two.test[127.0.0.3]:" + primary.port() + " answers");
    }

    @Test
    void aDomainUnderAProtectedSubtreeIsProbedOnceAskedAboutAndForgottenWhenUnused() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-06T06:00:00Z"));
        Domain learned = Domain.parse("protected.test");
        try (HealthProbe probe = new HealthProbe(List.of(ROUTED), d -> d.equals(learned), check::check,
                ProbeSettings.DEFAULTS, clock)) {
            assertThat(probe.primaryUp(Domain.parse("elsewhere.test"))).as("not protected: not probed").isTrue();
            assertThat(probe.status()).doesNotContainKey(Domain.parse("elsewhere.test"));
            assertThat(probe.primaryUp(learned)).as("first asked: not known yet").isFalse();
            await(() -> probe.primaryUp(learned), "its first probe");
            clock.advance(HealthProbe.FORGET_AFTER.minusMinutes(1));
            assertThat(probe.primaryUp(learned)).isTrue();
            clock.advance(HealthProbe.FORGET_AFTER.minusMinutes(1));
            probe.probeAll();
            assertThat(probe.status()).as("asked a day ago: still probed").containsKey(learned);
            clock.advance(Duration.ofMinutes(2));
            probe.probeAll();
            assertThat(probe.status()).as("unused for a day").doesNotContainKey(learned).containsKey(ROUTED);
        }
    }

    @Test
    void aPrimaryIsDownAfterThreeFailuresAndUpAfterTwoAnswers() throws Exception {
        try (HealthProbe probe = probe(new ProbeSettings(true, Duration.ofMinutes(1), Duration.ofSeconds(5), 3, 2))) {
            probe.probeAll();
            assertThat(probe.primaryUp(PROTECTED)).isTrue();
            primary.banner = 421;
            List<Boolean> seen = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                probe.probeAll();
                seen.add(probe.primaryUp(PROTECTED));
            }
            assertThat(seen).containsExactly(true, true, false);
            primary.banner = 220;
            seen.clear();
            for (int i = 0; i < 2; i++) {
                probe.probeAll();
                seen.add(probe.primaryUp(PROTECTED));
            }
            assertThat(seen).containsExactly(false, true);
        } finally {
            primary.banner = 220;
        }
    }

    @Test
    void aPrimaryThatGreetsWithOurOwnNameIsUsNotAPrimary() throws Exception {
        try {
            primary.name = "backup.protected.test";
            PrimaryCheck.Result result = check.check(PROTECTED);
            assertThat(result.up()).isFalse();
            assertThat(result.detail()).endsWith("greeted me with my own hostname backup.protected.test");
        } finally {
            primary.name = "primary.test";
        }
    }

    @Test
    void theRunningProbeSeesAPrimaryThatStopsListening() throws Exception {
        PrimarySmtp alone = new PrimarySmtp(InetAddress.getByName("127.0.0.5"), primary.port());
        DeliverySettings settings = DeliverySettings.defaults("backup.protected.test")
                .withIdentity(List.of(), List.of(), false)
                .withSmtp(SmtpTimeouts.all(Duration.ofSeconds(5)), TlsMode.NONE, 50)
                .withRoutes(Map.of(ROUTED, new StaticRoute("127.0.0.5", alone.port())));
        MailLog mailLog = new MailLog("backup.protected.test", "postfix-mxguard", Clock.systemUTC(), line -> { });
        PrimaryCheck own = new PrimaryCheck(settings, new DnsClient(dnsmasq.settings()), mailLog, Duration.ofSeconds(2));
        List<Boolean> states = Collections.synchronizedList(new ArrayList<>());
        try (HealthProbe probe = new HealthProbe(List.of(ROUTED), own::check,
                new ProbeSettings(true, Duration.ofMillis(20), Duration.ofSeconds(2), 2, 1), Clock.systemUTC())) {
            probe.start();
            await(() -> probe.primaryUp(ROUTED), "the first answer");
            int before = alone.sessions;
            await(() -> alone.sessions > before + 1, "more probes");
            alone.close();
            await(() -> !probe.primaryUp(ROUTED), "the probe to see it down");
            states.add(probe.primaryUp(ROUTED));
        }
        assertThat(states).containsExactly(false);
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
