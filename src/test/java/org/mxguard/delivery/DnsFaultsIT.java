package org.mxguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.dns.DnsClient;
import org.mxguard.dns.DnsFaultProxy;
import org.mxguard.dns.DnsFaultProxy.Fault;
import org.mxguard.dns.Dnsmasq;
import org.mxguard.mail.ClientInfo;
import org.mxguard.mail.Envelope;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.QueueId;
import org.mxguard.maillog.MailLog;
import org.mxguard.spool.MemorySpool;
import org.mxguard.spool.QueuedMessage;

/**
 * DNS going wrong under the delivery of real mail: a dnsmasq serves the zones, and a proxy in front
 * of it answers SERVFAIL, stays silent, truncates UDP answers (with and without TCP to complete
 * them) or serves a CNAME loop on demand. Temporary DNS failures defer the mail, never bounce it
 * before the queue lifetime; a protected domain missing from DNS waits too; a loop ends at once.
 */
@Tag("peer")
class DnsFaultsIT {

    private static final Instant START = Instant.parse("2026-11-20T08:00:00Z");
    private static final Duration LIFETIME = Duration.ofDays(2);
    private static final Set<String> PROTECTED = Set.of("protected.test", "gone.test", "cname-loop.test",
            "target-loop.test", "loop.test");

    @TempDir
    static Path dir;

    private static Dnsmasq dnsmasq;
    private static ScriptedSink primary;
    private static ScriptedSink senderMx;
    private static ScriptedSink mirror;

    private final MutableClock clock = new MutableClock(START);
    private final MemorySpool spool = new MemorySpool();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private DnsFaultProxy proxy;
    private DeliveryScheduler scheduler;

    @BeforeAll
    static void startPeers() throws Exception {
        primary = new ScriptedSink(InetAddress.getByName("127.0.0.2"), 0);
        senderMx = new ScriptedSink(InetAddress.getByName("127.0.0.3"), primary.port());
        // Another way into mxguard itself (a NAT, a port forward): it greets with mxguard's own name.
        mirror = new ScriptedSink(InetAddress.getByName("127.0.0.4"), primary.port());
        mirror.banner = "220 mxguard.test ESMTP";
        mirror.name = "mxguard.test";
        dnsmasq = Dnsmasq.start(dir, List.of(
                "mx-host=protected.test,primary.protected.test,10",
                "mx-host=protected.test,mxguard.test,20",
                "host-record=primary.protected.test,127.0.0.2",
                "mx-host=sender.test,mx.sender.test,10",
                "host-record=mx.sender.test,127.0.0.3",
                // The MX list's best host is mxguard under a name no configuration knows.
                "mx-host=loop.test,mx.loop.test,10",
                "host-record=mx.loop.test,127.0.0.4",
                // The MX target's name is answered by the proxy's CNAME loop.
                "mx-host=target-loop.test,a.target-loop.test,10"));
    }

    @AfterAll
    static void stopPeers() throws Exception {
        dnsmasq.close();
        primary.close();
        senderMx.close();
        mirror.close();
    }

    @BeforeEach
    void start() throws Exception {
        proxy = DnsFaultProxy.inFrontOf(dnsmasq.address());
        proxy.cnameLoop("cname-loop.test", "x.cname-loop.test");
        proxy.cnameLoop("a.target-loop.test", "b.target-loop.test");
        DeliverySettings settings = DeliverySettings.defaults("mxguard.test")
                .withIdentity(List.of(), List.of(), true)
                .withSmtpPort(primary.port())
                .withRetry(Duration.ofMinutes(5), Duration.ofMinutes(67), 0.1, LIFETIME)
                .withSmtp(SmtpTimeouts.all(Duration.ofSeconds(3)), TlsMode.NONE, 50)
                .withConnectionReuseTime(Duration.ZERO);
        MailLog mailLog = new MailLog("mxguard.test", "postfix-mxguard", clock, log::add);
        scheduler = TestScheduler.build(spool, settings, new DnsClient(proxy.settings(Duration.ofMillis(300))), mailLog,
                clock, new Random(5), domain -> PROTECTED.contains(domain.name()));
        primary.received.clear();
        senderMx.received.clear();
        mirror.received.clear();
    }

    @AfterEach
    void stop() throws Exception {
        scheduler.close();
        proxy.close();
    }

    @Test
    void servfailTimeoutsAndTruncationWithoutTcpDeferUntilTheLifetimeAndTheMailGoesWhenDnsAnswers()
            throws Exception {
        QueueId id = queue("bob", "protected.test");
        List<Fault> faults = List.of(Fault.SERVFAIL, Fault.TRUNCATE_NO_TCP, Fault.SERVFAIL, Fault.SILENT);
        int attempts = 0;
        while (clock.instant().isBefore(START.plus(LIFETIME).minus(Duration.ofHours(2)))) {
            proxy.fault(faults.get(attempts++ % faults.size()));
            scheduler.runDue();
            assertThat(spool.list()).as("deferred, not bounced, after %d attempts", attempts).containsExactly(id);
            clock.set(scheduler.nextDue().orElseThrow());
        }
        assertThat(attempts).isGreaterThan(40);
        assertThat(log).noneMatch(l -> l.contains("status=bounced") || l.contains("status=expired"));
        assertThat(log).filteredOn(l -> l.contains(id + ": to=<bob@protected.test>"))
                .hasSize(attempts).allMatch(l -> l.contains("dsn=4.4.3, status=deferred"));
        assertThat(spool.load(id).orElseThrow().state().lastError()).contains("name=protected.test type=MX");

        // UDP answers still truncated, TCP works again (RFC 7766): the lookup completes over TCP.
        proxy.fault(Fault.TRUNCATE);
        int tcpBefore = proxy.tcpQueries();
        scheduler.runDue();
        assertThat(spool.list()).isEmpty();
        assertThat(primary.received).singleElement().satisfies(r ->
                assertThat(r.recipients()).containsExactly("bob@protected.test"));
        assertThat(proxy.tcpQueries()).as("the MX and address lookups retried over TCP").isGreaterThan(tcpBefore);
        assertThat(senderMx.received).as("no notice to the sender").isEmpty();
    }

    @Test
    void dnsStillFailingAtTheLifetimeReturnsTheMessageOnce() throws Exception {
        QueueId id = queue("bob", "protected.test");
        proxy.fault(Fault.SERVFAIL);
        while (spool.load(id).isPresent()) {
            scheduler.runDue();
            clock.set(scheduler.nextDue().orElseThrow());
            assertThat(clock.instant()).isBefore(START.plus(LIFETIME).plus(Duration.ofHours(2)));
        }
        assertThat(Duration.between(START, clock.instant())).isGreaterThanOrEqualTo(LIFETIME.minus(Duration.ofHours(2)));
        List<QueueId> left = spool.list();
        assertThat(left).as("one DSN to the sender, waiting for DNS too").hasSize(1);
        QueuedMessage dsn = spool.load(left.getFirst()).orElseThrow();
        assertThat(dsn.envelope().sender().isNullSender()).isTrue();
        assertThat(dsn.envelope().recipients()).containsExactly(MailAddress.of("alice", "sender.test"));
        assertThat(log).filteredOn(l -> l.contains("status=expired")).hasSize(1);

        proxy.fault(Fault.NONE);
        clock.set(scheduler.nextDue().orElseThrow());
        scheduler.runDue();
        assertThat(senderMx.received).singleElement().satisfies(r ->
                assertThat(r.recipients()).containsExactly("alice@sender.test"));
        assertThat(primary.received).isEmpty();
    }

    @Test
    void aProtectedDomainMissingFromDnsWaitsWhileAnotherMissingDomainBounces() throws Exception {
        QueueId kept = queue("bob", "gone.test");
        QueueId returned = queue("carol", "elsewhere.test");
        scheduler.runDue();
        assertThat(spool.load(kept)).as("a protected domain's mail waits for its zone").isPresent();
        assertThat(spool.load(kept).orElseThrow().state().lastError()).contains("Host not found");
        assertThat(log).anyMatch(l -> l.contains(kept + ": to=<bob@gone.test>") && l.contains("dsn=4.4.4, status=deferred"));
        assertThat(log).anyMatch(l -> l.contains("warning: protected domain gone.test not found in DNS"));
        assertThat(spool.load(returned)).as("not ours: NXDOMAIN bounces as Postfix's does").isEmpty();
        assertThat(log).anyMatch(l -> l.contains(returned + ": to=<carol@elsewhere.test>")
                && l.contains("dsn=5.4.4, status=bounced"));
    }

    @Test
    void cnameLoopsAreTemporaryAndEndAtOnce() throws Exception {
        QueueId domainLoop = queue("bob", "cname-loop.test");
        QueueId targetLoop = queue("carol", "target-loop.test");
        long start = System.nanoTime();
        scheduler.runDue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(spool.list()).containsExactlyInAnyOrder(domainLoop, targetLoop);
        assertThat(log).anyMatch(l -> l.contains(domainLoop + ": to=<bob@cname-loop.test>")
                && l.contains("dsn=4.4.3, status=deferred"));
        assertThat(log).anyMatch(l -> l.contains(targetLoop + ": to=<carol@target-loop.test>")
                && l.contains("dsn=4.4.3, status=deferred"));
        assertThat(log).noneMatch(l -> l.contains("status=bounced"));
    }

    @Test
    void anMxThatLeadsBackToThisHostUnderAnUnknownNameGetsNoMail() throws Exception {
        QueueId id = queue("bob", "loop.test");
        scheduler.runDue();
        assertThat(mirror.received).as("nothing sent to ourselves").isEmpty();
        assertThat(log).anyMatch(l -> l.contains("greeted me with my own hostname mxguard.test"));
        // The mail cannot reach any other host: it returns to its sender as Postfix's does (5.4.6).
        assertThat(spool.load(id)).isEmpty();
        assertThat(log).anyMatch(l -> l.contains(id + ": to=<bob@loop.test>") && l.contains("dsn=5.4.6, status=bounced"));
    }

    private QueueId queue(String localPart, String domain) throws IOException {
        ClientInfo client = new ClientInfo(InetAddress.getByName("203.0.113.7"), 40000, "dialup-7.isp.example",
                "friend", "ESMTP", null);
        Envelope envelope = new Envelope(MailAddress.of("alice", "sender.test"),
                List.of(MailAddress.of(localPart, domain)), client, clock.instant(), false, false);
        QueueId id = spool.add(envelope, "Subject: to " + domain + "\r\n\r\nbody\r\n");
        scheduler.queued(id);
        return id;
    }
}
