package org.mxguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mxguard.dns.DnsClient;
import org.mxguard.dns.DnsSettings;
import org.mxguard.mail.ClientInfo;
import org.mxguard.mail.Domain;
import org.mxguard.mail.Envelope;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.QueueId;
import org.mxguard.maillog.MailLog;
import org.mxguard.spool.MemorySpool;

/**
 * A primary that misbehaves in the ways real ones do (drops the connection in the middle of the
 * data, flaps between up, refusing and hanging, answers one octet a second) loses no mail, bounces
 * none before the queue lifetime, and does not slow the mail of other destinations.
 */
class PrimaryFaultsIT {

    private static final Instant START = Instant.parse("2026-11-20T08:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private final MemorySpool spool = new MemorySpool();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final MailLog mailLog = new MailLog("mxguard.test", "postfix-mxguard", clock, log::add);
    private ScriptedSink primary;
    private ScriptedSink other;
    private DeliveryScheduler scheduler;

    @BeforeEach
    void start() throws Exception {
        primary = new ScriptedSink();
        other = new ScriptedSink();
        // Static routes to IP literals never ask DNS; the resolver points at a port nobody serves.
        DnsClient dns = new DnsClient(DnsSettings.server(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9),
                Duration.ofMillis(100)));
        DeliverySettings settings = DeliverySettings.defaults("mxguard.test")
                .withRoutes(Map.of(Domain.parse("protected.test"), StaticRoute.parse(primary.route()),
                        Domain.parse("other.test"), StaticRoute.parse(other.route())))
                .withSmtp(SmtpTimeouts.all(Duration.ofSeconds(2)), TlsMode.NONE, 50)
                .withConnectionReuseTime(Duration.ZERO);
        scheduler = TestScheduler.build(spool, settings, dns, mailLog, clock, new Random(17));
    }

    @AfterEach
    void stop() throws Exception {
        scheduler.close();
        primary.close();
        other.close();
    }

    @Test
    void aPrimaryThatDropsMidDataAndFlapsForFourDaysLosesNothingAndBouncesNothing() throws Exception {
        List<QueueId> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(queue("user" + i, "protected.test"));
        }
        // Each retry meets another fault: dropped after the content, dropped at DATA, refused, gone (a
        // hanging primary is SmtpClientIT's and the tarpit's case).
        List<Runnable> faults = List.of(
                () -> primary.dropAt = "END",
                () -> primary.dropAt = "DATA",
                () -> primary.banner = "421 4.3.2 primary.protected.test busy",
                () -> primary.dropAt = "GREETING");
        int attempt = 0;
        while (clock.instant().isBefore(START.plus(Duration.ofDays(4)))) {
            reset();
            faults.get(attempt++ % faults.size()).run();
            scheduler.runDue();
            assertThat(spool.list()).as("queued while the primary misbehaves").containsExactlyInAnyOrderElementsOf(ids);
            clock.set(scheduler.nextDue().orElseThrow());
        }
        assertThat(attempt).isGreaterThan(60);
        assertThat(log).noneMatch(l -> l.contains("status=bounced"));
        assertThat(log).anyMatch(l -> l.contains("status=deferred") && l.contains("lost connection"));

        reset();
        scheduler.runDue();
        assertThat(spool.list()).isEmpty();
        assertThat(primary.received).extracting(r -> r.recipients().getFirst())
                .containsExactlyInAnyOrder("user0@protected.test", "user1@protected.test", "user2@protected.test");
        assertThat(other.received).as("no bounce to the sender").isEmpty();
    }

    @Test
    void aTarpitPrimaryIsGivenUpOnInTimeAndDoesNotSlowOtherDomains() throws Exception {
        primary.byteDelay = Duration.ofSeconds(1);
        scheduler.start();
        QueueId slow = queue("user", "protected.test");
        Instant queued = Instant.now();
        QueueId fast = queue("user", "other.test");
        awaitTrue(() -> other.received.size() == 1, Duration.ofSeconds(5), "the other domain's mail delivered");
        assertThat(Duration.between(queued, Instant.now())).as("not held behind the tarpit")
                .isLessThan(Duration.ofSeconds(2));
        awaitTrue(() -> spool.list().equals(List.of(slow)), Duration.ofSeconds(2), "the delivered mail removed");
        // The greeting takes 30 s at one octet a second: the 2 s greeting timeout is a deadline for the
        // whole reply, not for each octet, so the attempt ends within a few seconds.
        awaitTrue(() -> log.stream().anyMatch(l -> l.contains(slow + ": to=<user@protected.test>")
                && l.contains("status=deferred")), Duration.ofSeconds(6), "the tarpit attempt deferred");
        assertThat(spool.list()).containsExactly(slow);
        assertThat(log).noneMatch(l -> l.contains("status=bounced"));
        assertThat(fast).isNotEqualTo(slow);
    }

    private void reset() {
        primary.dropAt = null;
        primary.hangAt = null;
        primary.banner = "220 primary.protected.test ESMTP";
    }

    private QueueId queue(String localPart, String domain) throws IOException {
        ClientInfo client = new ClientInfo(InetAddress.getByName("203.0.113.7"), 40000, "dialup-7.isp.example",
                "friend", "ESMTP", null);
        Envelope envelope = new Envelope(MailAddress.of("alice", "sender.test"), List.of(MailAddress.of(localPart, domain)),
                client, clock.instant(), false, false);
        QueueId id = spool.add(envelope, "Subject: to " + domain + "\r\n\r\nbody\r\n");
        scheduler.queued(id);
        return id;
    }

    private static void awaitTrue(BooleanSupplier condition, Duration limit, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(limit);
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("%s within %s", what, limit).isBefore(deadline);
            Thread.sleep(20);
        }
    }
}
