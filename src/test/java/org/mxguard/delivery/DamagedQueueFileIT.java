package org.mxguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
import org.mxguard.spool.SpoolSettings;

/**
 * Queue files damaged on disk while the server runs (cut short, their header overwritten, a
 * state file garbled): the damaged message is moved to {@code corrupt/} at the first attempt and
 * no longer tried, a garbled state means every recipient is tried again, and the rest of the queue
 * is delivered as if nothing happened.
 */
class DamagedQueueFileIT {

    private static final Instant START = Instant.parse("2026-11-20T08:00:00Z");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(START);
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private FileSpool spool;
    private ScriptedSink primary;
    private DeliveryScheduler scheduler;

    @BeforeEach
    void start() throws Exception {
        primary = new ScriptedSink();
        spool = FileSpool.open(SpoolSettings.defaults(dir).withMinFreeBytes(0), clock);
        spool.recover();
        DnsClient dns = new DnsClient(DnsSettings.server(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9),
                Duration.ofMillis(100)));
        DeliverySettings settings = DeliverySettings.defaults("mxguard.test")
                .withRoutes(Map.of(Domain.parse("protected.test"), StaticRoute.parse(primary.route())))
                .withSmtp(SmtpTimeouts.all(Duration.ofSeconds(2)), TlsMode.NONE, 50)
                .withConnectionReuseTime(Duration.ZERO);
        scheduler = TestScheduler.build(spool, settings, dns,
                new MailLog("mxguard.test", "postfix-mxguard", clock, log::add), clock, new Random(3));
    }

    @AfterEach
    void stop() throws Exception {
        scheduler.close();
        spool.close();
        primary.close();
    }

    @Test
    void damagedFilesAreQuarantinedAndTheRestOfTheQueueIsDelivered() throws Exception {
        primary.banner = "421 4.3.2 busy";
        QueueId fine = queue("fine", "a@protected.test");
        QueueId cut = queue("cut", "b@protected.test");
        QueueId overwritten = queue("overwritten", "c@protected.test");
        QueueId garbledState = queue("garbled", "d@protected.test", "e@protected.test");
        scheduler.runDue();
        assertThat(spool.list()).containsExactly(fine, cut, overwritten, garbledState);
        // One recipient of the last message went through before: its state records that.
        spool.update(garbledState, s -> new DeliveryState(List.of(MailAddress.of("e", "protected.test")),
                s.attempts(), s.nextAttempt(), s.lastError(), false, false));

        Path queue = dir.resolve("queue");
        byte[] bytes = Files.readAllBytes(queue.resolve(cut + ".msg"));
        Files.write(queue.resolve(cut + ".msg"), Arrays.copyOf(bytes, bytes.length / 2));
        byte[] other = Files.readAllBytes(queue.resolve(overwritten + ".msg"));
        Arrays.fill(other, 0, 40, (byte) 'X');
        Files.write(queue.resolve(overwritten + ".msg"), other);
        Files.writeString(queue.resolve(garbledState + ".state"), "mxguard-spool-state 1\nattempts many\n");

        primary.banner = "220 primary.protected.test ESMTP";
        // Past every retry time (they differ by the retry jitter): all four are due.
        clock.set(clock.instant().plus(Duration.ofHours(2)));
        scheduler.runDue();

        assertThat(spool.list()).as("nothing left: delivered or quarantined").isEmpty();
        assertThat(files(dir.resolve("corrupt"))).containsExactlyInAnyOrder(cut + ".msg", overwritten + ".msg",
                cut + ".state", overwritten + ".state");
        assertThat(primary.received).flatExtracting(ScriptedSink.Received::recipients)
                .as("the damaged state retries every recipient: a duplicate, never a loss")
                .containsExactlyInAnyOrder("a@protected.test", "d@protected.test", "e@protected.test");
        assertThat(scheduler.nextDue()).as("the quarantined messages are not tried again").isEmpty();
        assertThat(log).noneMatch(l -> l.contains("delivery attempt failed"));
    }

    private QueueId queue(String subject, String... recipients) throws IOException {
        ClientInfo client = new ClientInfo(InetAddress.getByName("203.0.113.7"), 40000, "dialup-7.isp.example",
                "friend", "ESMTP", null);
        List<MailAddress> rcpts = Stream.of(recipients).map(r -> MailAddress.of(r.split("@")[0], r.split("@")[1]))
                .toList();
        Envelope envelope = new Envelope(MailAddress.of("alice", "sender.test"), rcpts, client, clock.instant(), false,
                false);
        QueueId id;
        try (var writer = spool.begin(envelope)) {
            writer.content().write(("Subject: " + subject + "\r\n\r\nbody\r\n").getBytes(
                    java.nio.charset.StandardCharsets.US_ASCII));
            writer.commit();
            id = writer.id();
        }
        scheduler.queued(id);
        return id;
    }

    private static List<String> files(Path directory) throws IOException {
        try (Stream<Path> names = Files.list(directory)) {
            return names.map(p -> p.getFileName().toString()).toList();
        }
    }
}
