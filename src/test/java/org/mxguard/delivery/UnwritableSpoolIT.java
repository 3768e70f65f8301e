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
 * A spool that cannot be written for a while (its file system remounted read-only): mail delivered
 * meanwhile cannot be removed or have its state saved. It stays queued (nothing lost), and is not
 * delivered again at each retry while the spool stays read-only; once writable, only the removal
 * and the update are done.
 */
class UnwritableSpoolIT {

    private static final Instant START = Instant.parse("2026-11-20T08:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private final MemorySpool spool = new MemorySpool();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private ScriptedSink primary;
    private ScriptedSink other;
    private DeliveryScheduler scheduler;

    @BeforeEach
    void start() throws Exception {
        primary = new ScriptedSink();
        other = new ScriptedSink();
        other.banner = "421 4.3.2 other.test busy";
        DnsClient dns = new DnsClient(DnsSettings.server(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9),
                Duration.ofMillis(100)));
        DeliverySettings settings = DeliverySettings.defaults("mxguard.test")
                .withRoutes(Map.of(Domain.parse("protected.test"), StaticRoute.parse(primary.route()),
                        Domain.parse("other.test"), StaticRoute.parse(other.route())))
                .withSmtp(SmtpTimeouts.all(Duration.ofSeconds(2)), TlsMode.NONE, 50)
                .withConnectionReuseTime(Duration.ZERO);
        scheduler = TestScheduler.build(spool, settings,  dns,
                new MailLog("mxguard.test", "postfix-mxguard", clock, log::add), clock, new Random(3));
    }

    @AfterEach
    void stop() throws Exception {
        scheduler.close();
        primary.close();
        other.close();
    }

    @Test
    void mailDeliveredWhileTheSpoolIsReadOnlyIsDeliveredOnceAndRemovedWhenItIsWritable() throws Exception {
        QueueId whole = queue(MailAddress.of("bob", "protected.test"));
        QueueId split = queue(MailAddress.of("carol", "protected.test"), MailAddress.of("dave", "other.test"));
        spool.readOnly(true);
        for (int retry = 0; retry < 6; retry++) {
            scheduler.runDue();
            assertThat(spool.list()).as("nothing lost while the spool cannot be written")
                    .containsExactly(whole, split);
            clock.set(scheduler.nextDue().orElseThrow());
        }
        assertThat(primary.received).as("each recipient delivered once, not at every retry")
                .extracting(r -> r.recipients().getFirst())
                .containsExactlyInAnyOrder("bob@protected.test", "carol@protected.test");
        assertThat(log).anyMatch(l -> l.contains(whole + ": delivery attempt failed") && l.contains("Read-only"));

        spool.readOnly(false);
        other.banner = "220 other.test ESMTP";
        // Past every retry time (they differ by the retry jitter): both messages are due.
        clock.set(clock.instant().plus(Duration.ofHours(2)));
        scheduler.runDue();
        assertThat(spool.list()).isEmpty();
        assertThat(primary.received).hasSize(2);
        assertThat(other.received).singleElement().satisfies(r ->
                assertThat(r.recipients()).containsExactly("dave@other.test"));
    }

    private QueueId queue(MailAddress... recipients) throws IOException {
        ClientInfo client = new ClientInfo(InetAddress.getByName("203.0.113.7"), 40000, "dialup-7.isp.example",
                "friend", "ESMTP", null);
        Envelope envelope = new Envelope(MailAddress.of("alice", "sender.test"), List.of(recipients), client,
                clock.instant(), false, false);
        QueueId id = spool.add(envelope, "Subject: hello\r\n\r\nbody\r\n");
        scheduler.queued(id);
        return id;
    }
}
