package org.mxguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
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
 * The queue manager on a test clock: days pass in milliseconds, deliveries go to scripted SMTP
 * servers on loopback ports through static routes.
 */
class DeliverySchedulerIT {

    private static final Instant START = Instant.parse("2026-11-20T08:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private final MemorySpool spool = new MemorySpool();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final MailLog mailLog = new MailLog("mxguard.test", "postfix-mxguard", clock, log::add);
    private ScriptedSink primary;
    private ScriptedSink senders;
    private DeliveryScheduler scheduler;

    @BeforeEach
    void start() throws Exception {
        primary = new ScriptedSink();
        primary.banner = "421 4.3.2 primary.protected.test is down for maintenance";
        senders = new ScriptedSink();
        scheduler = scheduler(settings());
    }

    @AfterEach
    void stop() throws Exception {
        scheduler.close();
        primary.close();
        senders.close();
    }

    private DeliverySettings settings() {
        return DeliverySettings.defaults("mxguard.test")
                .withRoutes(Map.of(Domain.parse("protected.test"), StaticRoute.parse(primary.route()),
                        Domain.parse("sender.test"), StaticRoute.parse(senders.route())))
                .withSmtp(SmtpTimeouts.all(Duration.ofSeconds(5)), TlsMode.NONE, 50);
    }

    private DeliveryScheduler scheduler(DeliverySettings settings) {
        // Static routes to IP literals never ask DNS; the resolver points at a port nobody serves.
        DnsClient dns = new DnsClient(DnsSettings.server(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9),
                Duration.ofMillis(100)));
        return TestScheduler.build(spool, settings, dns, mailLog, clock, new Random(7));
    }

    @Test
    void primaryDownForThreeDaysThenBackGetsEverythingDeliveredAtOnce() throws Exception {
        List<QueueId> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(accept(MailAddress.of("alice" + i, "sender.test"), "user" + i));
            scheduler.runDue();
            clock.advance(Duration.ofMinutes(7));
        }
        QueueId watched = ids.getFirst();
        Instant received = spool.load(watched).orElseThrow().envelope().received();
        int attempts = 0;
        while (clock.instant().isBefore(START.plus(Duration.ofDays(3)))) {
            Instant before = spool.nextAttempt(watched);
            clock.set(scheduler.nextDue().orElseThrow());
            scheduler.runDue();
            Instant after = spool.nextAttempt(watched);
            if (!after.equals(before)) {
                attempts++;
                // Backoff: the delay is the message's age (so the age doubles), +-10 % jitter, within 300..4000 s.
                long age = Duration.between(received, clock.instant()).toSeconds();
                long clamped = Math.max(300, Math.min(4000, age));
                long delay = Duration.between(clock.instant(), after).toSeconds();
                assertThat(delay).isBetween(Math.max(300, (long) (clamped * 0.9) - 1),
                        Math.min(4000, (long) (clamped * 1.1) + 1));
            }
        }
        assertThat(primary.received).isEmpty();
        assertThat(spool.list()).containsExactlyElementsOf(ids);
        // About 3 days / 4000 s plus the doubling steps at the start.
        assertThat(attempts).isBetween(60, 80);

        primary.banner = "220 primary.protected.test ESMTP";
        Instant back = scheduler.nextDue().orElseThrow();
        clock.set(back);
        scheduler.runDue();

        assertThat(primary.received).hasSize(5);
        assertThat(spool.list()).isEmpty();
        assertThat(clock.instant()).isEqualTo(back);
        assertThat(scheduler.nextDue()).isEmpty();
        assertThat(log).anyMatch(l -> l.matches(".* postfix-mxguard/smtp\\[\\d+\\]: " + ids.getFirst()
                + ": to=<user0@protected.test>, relay=127.0.0.1\\[127.0.0.1\\]:" + primary.port() + ", delay=\\d+, delays=\\d+/[0-9.]+/[0-9.]+/[0-9.]+,"
                + " dsn=2.0.0, status=sent \\(250 2.0.0 Ok: queued as SINK\\)"));
        // Setup and transfer times are measured on the wall clock, so they are matched, not fixed.
        assertThat(log).anyMatch(l -> l.startsWith("Nov 20 08:00:00 mxguard.test postfix-mxguard/smtp[")
                && l.matches(".*\\]: " + ids.getFirst() + ": to=<user0@protected.test>, relay=127.0.0.1\\[127.0.0.1\\]:"
                + primary.port() + ", delay=[0-9.]+, delays=0/[0-9.]+/[0-9.]+/0, dsn=4.3.2,"
                + " status=deferred \\(host 127.0.0.1\\[127.0.0.1\\] refused to talk to me: 421 4.3.2"
                + " primary.protected.test is down for maintenance\\)"));
        assertThat(log).filteredOn(l -> l.endsWith(": removed")).hasSize(5);
    }

    @Test
    void aBounceCarriesTheHeadersOnlyEvenWhenTheMessageHasNoBlankLine() throws Exception {
        primary.banner = "220 primary.protected.test ESMTP";
        primary.rcptReply = rcpt -> "550 5.1.1 <" + rcpt + ">: Recipient address rejected: User unknown";
        // Spam that runs its text straight on from the header, with no blank line between.
        QueueId id = spool.add(envelope(MailAddress.of("forged", "sender.test"), "nobody"),
                "Received: from friend (dialup-7.isp.example [203.0.113.7])\r\n"
                + "Subject: cheap pills\r\n\tfolded on\r\n"
                + "BUY CHEAP PILLS NOW http://spam.example/\r\n".repeat(1000));
        scheduler.queued(id);
        scheduler.runDue();
        scheduler.runDue();

        assertThat(senders.received).hasSize(1);
        Message dsn = parse(senders.received.getFirst().content());
        List<Entity> parts = ((Multipart) dsn.getBody()).getBodyParts();
        assertThat(parts.get(2).getMimeType()).isEqualTo("text/rfc822-headers");
        assertThat(text(parts.get(2))).isEqualTo("Received: from friend (dialup-7.isp.example [203.0.113.7])\r\n"
                + "Subject: cheap pills\r\n\tfolded on\r\n");
        assertThat(senders.received.getFirst().content()).doesNotContain("BUY CHEAP PILLS");
    }

    @Test
    void primaryDownPastTheLifetimeReturnsOneDsnPerMessageAndNoneToTheNullSender() throws Exception {
        QueueId first = accept(MailAddress.of("alice", "sender.test"), "bob");
        clock.advance(Duration.ofMinutes(30));
        QueueId second = accept(MailAddress.of("carol", "sender.test"), "dave");
        QueueId fromNull = accept(MailAddress.NULL_SENDER, "erin");
        runUntil(START.plus(Duration.ofDays(6)));

        assertThat(spool.list()).isEmpty();
        assertThat(primary.received).isEmpty();
        assertThat(senders.received).hasSize(2);
        assertThat(senders.received).allSatisfy(dsn -> assertThat(dsn.mailFrom()).startsWith("<>"));
        assertThat(senders.received).extracting(r -> r.recipients().getFirst())
                .containsExactlyInAnyOrder("alice@sender.test", "carol@sender.test");

        Message dsn = parse(senders.received.stream().filter(r -> r.recipients().contains("alice@sender.test"))
                .findFirst().orElseThrow().content());
        assertThat(dsn.getMimeType()).isEqualTo("multipart/report");
        assertThat(dsn.getHeader().getField("Content-Type").getBody()).contains("report-type=delivery-status");
        assertThat(dsn.getFrom().getFirst().getAddress()).isEqualTo("MAILER-DAEMON@mxguard.test");
        assertThat(dsn.getSubject()).isEqualTo("Undelivered Mail Returned to Sender");
        List<Entity> parts = ((Multipart) dsn.getBody()).getBodyParts();
        assertThat(parts).extracting(Entity::getMimeType)
                .containsExactly("text/plain", "message/delivery-status", "text/rfc822-headers");
        assertThat(text(parts.get(0))).contains("<bob@protected.test>: host 127.0.0.1[127.0.0.1] refused to talk to me");
        String status = text(parts.get(1));
        assertThat(status).contains("Reporting-MTA: dns; mxguard.test\r\n", "Arrival-Date: Fri, 20 Nov 2026 08:00:00 +0000",
                "Final-Recipient: rfc822; bob@protected.test\r\n", "Action: failed\r\n", "Status: 4.3.2\r\n",
                "Diagnostic-Code: X-mxguard; host 127.0.0.1[127.0.0.1] refused to talk to me");
        assertThat(text(parts.get(2))).contains("Subject: hello bob\r\n").doesNotContain("Body of the message");

        assertThat(log).filteredOn(l -> l.contains("status=expired, returned to sender")).hasSize(3);
        assertThat(log).anyMatch(l -> l.contains("postfix-mxguard/bounce[") && l.contains(first
                + ": sender non-delivery notification: "));
        assertThat(log).anyMatch(l -> l.contains(second + ": sender non-delivery notification: "));
        assertThat(log).anyMatch(l -> l.contains(fromNull + ": undeliverable message from <> to 1 recipient(s)"));
        assertThat(log).noneMatch(l -> l.contains(fromNull + ": sender non-delivery notification"));
        // The last attempt came at the end of the lifetime, not a backoff period later.
        String expiredLine = log.stream().filter(l -> l.contains(first + ": from=<alice@sender.test>, status=expired"))
                .findFirst().orElseThrow();
        assertThat(expiredLine).startsWith("Nov 25 08:00:00");
    }

    @Test
    void undeliverableMailFromTheNullSenderGoesToThePostmasterCopyWhenConfigured() throws Exception {
        scheduler.close();
        scheduler = scheduler(settings().withPostmasterCopy(MailAddress.of("postmaster", "sender.test")));
        primary.banner = "220 primary ESMTP";
        primary.rcptReply = rcpt -> "550 5.1.1 no such user";
        QueueId id = accept(MailAddress.NULL_SENDER, "gone");
        assertThat(spool.list()).isEmpty();
        assertThat(senders.received).singleElement().satisfies(copy -> {
            assertThat(copy.mailFrom()).startsWith("<>");
            assertThat(copy.recipients()).containsExactly("postmaster@sender.test");
            assertThat(copy.content()).contains("Final-Recipient: rfc822; gone@protected.test");
        });
        assertThat(log).anyMatch(l -> l.contains(id + ": postmaster non-delivery notification: "));
    }

    @Test
    void permanentAndTemporaryRecipientFailuresAreHandledPerRecipient() throws Exception {
        primary.banner = "220 primary ESMTP";
        primary.rcptReply = rcpt -> switch (rcpt) {
            case "gone@protected.test" -> "550 5.1.1 <gone@protected.test>: Recipient address rejected: User unknown";
            case "full@protected.test" -> "452 4.2.2 Mailbox full";
            default -> "250 2.1.5 Ok";
        };
        QueueId id = accept(MailAddress.of("alice", "sender.test"), "ok", "gone", "full");
        scheduler.runDue();

        assertThat(primary.received.getFirst().recipients()).containsExactly("ok@protected.test");
        // The delivery to ok@ flushes protected.test, but not the message that just got its answer for full@.
        assertThat(primary.commands).filteredOn(c -> c.equals("RCPT TO:<full@protected.test>")).hasSize(1);
        assertThat(spool.load(id).orElseThrow().state().pending()).containsExactly(MailAddress.of("full", "protected.test"));
        assertThat(spool.load(id).orElseThrow().state().lastError()).contains("452 4.2.2 Mailbox full");
        assertThat(senders.received).singleElement().satisfies(dsn -> {
            String status = text(((Multipart) parse(dsn.content()).getBody()).getBodyParts().get(1));
            assertThat(status).contains("Final-Recipient: rfc822; gone@protected.test", "Status: 5.1.1",
                    "Remote-MTA: dns; 127.0.0.1", "Diagnostic-Code: smtp; 550 5.1.1 <gone@protected.test>:"
                            + " Recipient address rejected: User unknown");
            assertThat(status).doesNotContain("full@protected.test", "ok@protected.test");
        });
    }

    @Test
    void delayWarningIsSentOnceWhenConfigured() throws Exception {
        scheduler.close();
        scheduler = scheduler(settings().withDelayWarning(Duration.ofHours(4)));
        accept(MailAddress.of("alice", "sender.test"), "bob");
        runUntil(START.plus(Duration.ofHours(3)));
        assertThat(senders.received).isEmpty();
        runUntil(START.plus(Duration.ofHours(12)));
        assertThat(senders.received).singleElement().satisfies(dsn -> {
            Message m = parse(dsn.content());
            assertThat(m.getSubject()).isEqualTo("Delayed Mail (still being retried)");
            String status = text(((Multipart) m.getBody()).getBodyParts().get(1));
            assertThat(status).contains("Action: delayed", "Will-Retry-Until: Wed, 25 Nov 2026 08:00:00 +0000");
        });
        assertThat(log).anyMatch(l -> l.contains("sender delay notification"));
    }

    @Test
    void probeOfTheRecoveredPrimaryFlushesItsMailWithoutWaitingForTheBackoff() throws Exception {
        QueueId id = accept(MailAddress.of("alice", "sender.test"), "bob");
        runUntil(START.plus(Duration.ofHours(2)));
        assertThat(spool.list()).contains(id);
        assertThat(scheduler.probe()).isEmpty();

        primary.banner = "220 primary ESMTP";
        assertThat(scheduler.probe()).containsExactly(Domain.parse("protected.test"));
        scheduler.runDue();
        assertThat(primary.received).hasSize(1);
        assertThat(spool.list()).isEmpty();
    }

    @Test
    void etrnFlushesOnlyTheNamedDomain() throws Exception {
        QueueId id = accept(MailAddress.of("alice", "sender.test"), "bob");
        scheduler.runDue();
        primary.banner = "220 primary ESMTP";
        scheduler.flush(Domain.parse("elsewhere.test"));
        assertThat(scheduler.runDue()).isZero();
        scheduler.flush(Domain.parse("protected.test"));
        assertThat(scheduler.runDue()).isEqualTo(1);
        assertThat(spool.load(id)).isEmpty();
    }

    @Test
    void etrnForADestinationThatIsDownSkipsItAsAWholeInsteadOfTryingEachMessage() throws Exception {
        List<QueueId> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(accept(MailAddress.of("alice", "sender.test"), "user" + i));
        }
        int before = primary.connections.get();
        List<java.util.concurrent.Future<List<Domain>>> runs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            runs.add(scheduler.etrn(Domain.parse("protected.test"), false));
        }
        for (var run : runs) {
            assertThat(run.get()).isEmpty();
        }
        assertThat(scheduler.runDue()).isZero();
        // One probe at a time per destination, never an attempt per message: at most one
        // connection per ETRN here, against 5 attempts per ETRN when every message was tried.
        assertThat(primary.connections.get() - before).isBetween(1, 20);
        assertThat(spool.list()).containsExactlyElementsOf(ids);
        assertThat(log).anyMatch(l -> l.endsWith("ETRN: protected.test does not answer; its mail waits for the "
                + "next retry"));

        primary.banner = "220 primary ESMTP";
        assertThat(scheduler.etrn(Domain.parse("protected.test"), false).get())
                .containsExactly(Domain.parse("protected.test"));
        assertThat(scheduler.runDue()).isEqualTo(5);
        assertThat(primary.received).hasSize(5);
        assertThat(spool.list()).isEmpty();
    }

    @Test
    void etrnWithAnAtSignAlsoFlushesTheSubdomains() throws Exception {
        scheduler.close();
        scheduler = scheduler(settings().withRoutes(Map.of(Domain.parse("protected.test"),
                StaticRoute.parse(primary.route()), Domain.parse("branch.protected.test"),
                StaticRoute.parse(primary.route()))));
        QueueId top = accept(MailAddress.of("alice", "sender.test"), "bob");
        QueueId branch = spool.add(new Envelope(MailAddress.of("alice", "sender.test"),
                List.of(MailAddress.of("carol", "branch.protected.test")), envelope(MailAddress.of("alice",
                "sender.test"), "x").client(), clock.instant(), false, false), "Subject: b\r\n\r\nx\r\n");
        scheduler.queued(branch);
        scheduler.runDue();
        primary.banner = "220 primary ESMTP";

        assertThat(scheduler.etrn(Domain.parse("protected.test"), false).get())
                .containsExactly(Domain.parse("protected.test"));
        assertThat(scheduler.runDue()).isEqualTo(1);
        assertThat(spool.list()).containsExactly(branch);

        assertThat(scheduler.etrn(Domain.parse("protected.test"), true).get())
                .containsExactly(Domain.parse("branch.protected.test"));
        assertThat(scheduler.runDue()).isEqualTo(1);
        assertThat(spool.list()).isEmpty();
        assertThat(top).isNotEqualTo(branch);
    }

    @Test
    void scheduleIsRebuiltFromTheSpoolAndHeldMessagesWait() throws Exception {
        primary.banner = "220 primary ESMTP";
        QueueId kept = spool.add(envelope(MailAddress.of("alice", "sender.test"), "bob"), "Subject: a\r\n\r\nx\r\n");
        QueueId held = spool.add(envelope(MailAddress.of("alice", "sender.test"), "carol"), "Subject: b\r\n\r\nx\r\n");
        scheduler.close();
        scheduler = scheduler(settings());
        QueueAdmin admin = new QueueAdmin(spool, scheduler, clock, mailLog);
        admin.hold(held);
        scheduler.rebuild();
        scheduler.runDue();
        assertThat(spool.load(kept)).isEmpty();
        assertThat(spool.load(held)).isPresent();
        assertThat(new MailqFormat(clock.getZone()).render(admin.list())).isEqualTo("""
                -Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------
                000000000002!       17 Fri Nov 20 08:00:00  alice@sender.test
                                                          carol@protected.test

                -- 1 Kbytes in 1 Request.
                """);
        admin.release(held);
        scheduler.runDue();
        assertThat(spool.list()).isEmpty();
        assertThat(primary.received).hasSize(2);
    }

    @Test
    void deletedMessageIsNeverTriedAgain() throws Exception {
        QueueId id = accept(MailAddress.of("alice", "sender.test"), "bob");
        scheduler.runDue();
        QueueAdmin admin = new QueueAdmin(spool, scheduler, clock, mailLog);
        assertThat(admin.list()).singleElement().satisfies(e -> {
            assertThat(e.lastError()).contains("refused to talk to me");
            assertThat(e.attempts()).isEqualTo(1);
        });
        assertThat(admin.show(id).orElseThrow().content()).asString(StandardCharsets.UTF_8).contains("Subject: hello bob");
        assertThat(admin.delete(id)).isTrue();
        assertThat(scheduler.nextDue()).isEmpty();
        assertThat(admin.list()).isEmpty();
        assertThat(new MailqFormat(clock.getZone()).render(admin.list())).isEqualTo("Mail queue is empty\n");
    }

    @Test
    void theLoopThreadDeliversNewMailWithoutBeingDriven() throws Exception {
        primary.banner = "220 primary ESMTP";
        java.util.concurrent.CountDownLatch removed = new java.util.concurrent.CountDownLatch(1);
        MailLog latched = new MailLog("mxguard.test", "postfix-mxguard", clock, line -> {
            if (line.endsWith(": removed")) {
                removed.countDown();
            }
        });
        scheduler.close();
        scheduler = TestScheduler.build(spool, settings(), new DnsClient(DnsSettings.server(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 9), Duration.ofMillis(100))), latched, clock,
                new Random(2));
        scheduler.start();
        QueueId id = spool.add(envelope(MailAddress.of("alice", "sender.test"), "bob"), "Subject: a\r\n\r\nx\r\n");
        scheduler.queued(id);
        assertThat(removed.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(spool.list()).isEmpty();
        assertThat(primary.received).hasSize(1);
    }

    @Test
    void flushedMailRespectsTheDestinationConcurrencyLimit() throws Exception {
        scheduler.close();
        scheduler = scheduler(settings().withConcurrency(100, 2));
        List<QueueId> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(accept(MailAddress.of("alice", "sender.test"), "user" + i));
        }
        primary.banner = "220 primary ESMTP";
        primary.endGate = new java.util.concurrent.Semaphore(0);
        scheduler.flush(Domain.parse("protected.test"));
        Thread run = Thread.ofVirtual().start(scheduler::runDue);
        // Two sessions reach the end of their data and wait there: the limit is reached, not exceeded.
        assertThat(primary.endArrived.tryAcquire(2, 10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 6; i++) {
            primary.endGate.release();
            if (i < 4) {
                assertThat(primary.endArrived.tryAcquire(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            }
        }
        run.join(Duration.ofSeconds(30));
        assertThat(run.isAlive()).isFalse();
        assertThat(spool.list()).isEmpty();
        assertThat(primary.received).hasSize(6);
        assertThat(primary.maxActive.get()).isEqualTo(2);
    }

    private QueueId accept(MailAddress sender, String... localParts) throws IOException {
        QueueId id = spool.add(envelope(sender, localParts), "Received: from friend (dialup-7.isp.example [203.0.113.7])\r\n"
                + "Subject: hello " + localParts[0] + "\r\n\r\nBody of the message\r\n.leading dot\r\n");
        scheduler.queued(id);
        scheduler.runDue();
        return id;
    }

    private Envelope envelope(MailAddress sender, String... localParts) throws IOException {
        ClientInfo client = new ClientInfo(InetAddress.getByName("203.0.113.7"), 40000, "dialup-7.isp.example",
                "friend", "ESMTP", null);
        List<MailAddress> rcpts = java.util.Arrays.stream(localParts).map(l -> MailAddress.of(l, "protected.test")).toList();
        return new Envelope(sender, rcpts, client, clock.instant(), false, false);
    }

    private void runUntil(Instant end) {
        while (true) {
            scheduler.runDue();
            var next = scheduler.nextDue();
            if (next.isEmpty() || next.get().isAfter(end)) {
                clock.set(end);
                scheduler.runDue();
                return;
            }
            clock.set(next.get());
        }
    }

    private static Message parse(String content) {
        try {
            return new DefaultMessageBuilder().parseMessage(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(Entity part) {
        try (InputStream in = ((SingleBody) part.getBody()).getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
