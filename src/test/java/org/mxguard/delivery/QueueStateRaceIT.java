package org.mxguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.dns.DnsClient;
import org.mxguard.dns.DnsSettings;
import org.mxguard.mail.ClientInfo;
import org.mxguard.mail.Domain;
import org.mxguard.mail.Envelope;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.QueueId;
import org.mxguard.maillog.MailLog;
import org.mxguard.spool.DeliveryState;
import org.mxguard.spool.FileSpool;
import org.mxguard.spool.MessageWriter;
import org.mxguard.spool.SpoolSettings;

/**
 * The postmaster holds and releases messages while the queue manager keeps trying them against a
 * primary that is down, on many threads at once, on a real spool: every change to a message's
 * state survives (the last hold or release is what the spool says, and every attempt is counted).
 */
class QueueStateRaceIT {

    private static final int MESSAGES = 12;
    private static final int TOGGLES = 150;

    @TempDir
    Path dir;

    @Test
    void holdAndReleaseDuringAttemptsLoseNoUpdate() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-20T08:00:00Z"));
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        MailLog mailLog = new MailLog("mxguard.test", "postfix-mxguard", clock, log::add);
        try (ScriptedSink primary = new ScriptedSink();
                FileSpool spool = FileSpool.open(SpoolSettings.defaults(dir), clock)) {
            primary.banner = "421 4.3.2 primary.protected.test is down for maintenance";
            spool.recover();
            DeliverySettings settings = DeliverySettings.defaults("mxguard.test")
                    .withRoutes(Map.of(Domain.parse("protected.test"), StaticRoute.parse(primary.route())))
                    .withSmtp(SmtpTimeouts.all(Duration.ofSeconds(5)), TlsMode.NONE, 50);
            DnsClient dns = new DnsClient(DnsSettings.server(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 9), Duration.ofMillis(100)));
            try (DeliveryScheduler scheduler = TestScheduler.build(spool, settings, dns, mailLog, clock,
                    new Random(3))) {
                QueueAdmin admin = new QueueAdmin(spool, scheduler, clock, mailLog);
                List<QueueId> ids = new ArrayList<>();
                for (int i = 0; i < MESSAGES; i++) {
                    QueueId id = commit(spool, clock.instant(), "user" + i);
                    ids.add(id);
                    scheduler.queued(id);
                }

                AtomicBoolean adminDone = new AtomicBoolean();
                Thread attempts = Thread.ofPlatform().name("attempts").start(() -> {
                    while (!adminDone.get()) {
                        scheduler.flushAll();
                        scheduler.runDue();
                    }
                });
                Map<QueueId, Boolean> lastHold = new ConcurrentHashMap<>();
                List<Thread> postmasters = new ArrayList<>();
                for (QueueId id : ids) {
                    Random random = new Random(id.hashCode());
                    postmasters.add(Thread.ofPlatform().name("postmaster-" + id).start(() -> {
                        try {
                            for (int i = 0; i < TOGGLES; i++) {
                                boolean hold = random.nextBoolean();
                                assertThat(hold ? admin.hold(id) : admin.release(id)).isTrue();
                                lastHold.put(id, hold);
                            }
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }));
                }
                for (Thread t : postmasters) {
                    t.join();
                }
                adminDone.set(true);
                attempts.join();
                scheduler.runDue();

                assertThat(lastHold).hasSize(MESSAGES);
                for (QueueId id : ids) {
                    DeliveryState state = spool.load(id).orElseThrow().state();
                    long tried = log.stream().filter(l -> l.contains(": " + id + ": to=<")
                            && l.contains("status=deferred")).count();
                    assertThat(state.held()).as("%s held", id).isEqualTo(lastHold.get(id));
                    assertThat(state.attempts()).as("%s attempts", id).isEqualTo((int) tried);
                }
                assertThat(log).anyMatch(l -> l.contains("status=deferred"));
            }
        }
    }

    private static QueueId commit(FileSpool spool, Instant now, String localPart) throws IOException {
        ClientInfo client = new ClientInfo(InetAddress.ofLiteral("203.0.113.7"), 40000, "dialup-7.isp.example",
                "friend", "ESMTP", null);
        Envelope envelope = new Envelope(MailAddress.of("alice", "sender.test"),
                List.of(MailAddress.of(localPart, "protected.test")), client, now, false, false);
        try (MessageWriter writer = spool.begin(envelope)) {
            writer.content().write(("Subject: " + localPart + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.UTF_8));
            writer.commit();
            return writer.id();
        }
    }
}
