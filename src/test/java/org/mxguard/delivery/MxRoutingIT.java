package org.mxguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.dns.DnsClient;
import org.mxguard.dns.Dnsmasq;
import org.mxguard.mail.ClientInfo;
import org.mxguard.mail.Domain;
import org.mxguard.mail.Envelope;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.QueueId;
import org.mxguard.maillog.MailLog;
import org.mxguard.spool.MemorySpool;

/**
 * RFC 5321 §5.1 for real: a dnsmasq serves MX lists in which mxguard is one of the hosts (by name
 * or by one of its interface addresses), and scripted SMTP servers on 127.0.0.2 and 127.0.0.3
 * stand in for the primary and for another backup.
 */
@Tag("peer")
class MxRoutingIT {

    @TempDir
    static Path dir;

    private static Dnsmasq dnsmasq;
    private static ScriptedSink primary;
    private static ScriptedSink otherBackup;
    private static DnsClient dns;
    private static DeliverySettings settings;
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() throws Exception {
        primary = new ScriptedSink(InetAddress.getByName("127.0.0.2"), 0);
        otherBackup = new ScriptedSink(InetAddress.getByName("127.0.0.3"), primary.port());
        dnsmasq = Dnsmasq.start(dir, List.of(
                "mx-host=protected.test,primary.protected.test,10",
                "mx-host=protected.test,backup.protected.test,20",
                "mx-host=protected.test,tertiary.protected.test,30",
                "host-record=primary.protected.test,127.0.0.2",
                "host-record=backup.protected.test,192.0.2.50",
                "host-record=tertiary.protected.test,127.0.0.3",
                // Two primaries: the first refuses, the second takes the mail.
                "mx-host=two.test,down.two.test,10",
                "mx-host=two.test,up.two.test,15",
                "mx-host=two.test,mxguard.test,20",
                "host-record=down.two.test,127.0.0.2",
                "host-record=up.two.test,127.0.0.3",
                // mxguard is the best MX: mail would loop.
                "mx-host=best.test,mxguard.test,10",
                "mx-host=best.test,other.best.test,20",
                "host-record=other.best.test,127.0.0.3",
                // Equal preference with mxguard counts as not more preferred.
                "mx-host=equal.test,mxguard.test,10",
                "mx-host=equal.test,peer.equal.test,10",
                "host-record=peer.equal.test,127.0.0.3",
                // mxguard known only by an interface address (127.0.0.1 on lo).
                "mx-host=selfaddr.test,primary.selfaddr.test,5",
                "mx-host=selfaddr.test,lo.selfaddr.test,10",
                "host-record=primary.selfaddr.test,127.0.0.2",
                "host-record=lo.selfaddr.test,127.0.0.1",
                // The more preferred host has no address: mxguard is a backup without a primary.
                "mx-host=ghost.test,nowhere.ghost.test,10",
                "mx-host=ghost.test,backup.protected.test,20",
                "mx-host=nullmx.test,.,0",
                "host-record=implicit.test,127.0.0.2"));
        dns = new DnsClient(dnsmasq.settings());
        settings = DeliverySettings.defaults("mxguard.test")
                .withIdentity(List.of("backup.protected.test"), List.of(), true)
                .withSmtpPort(primary.port())
                .withSmtp(SmtpTimeouts.all(Duration.ofSeconds(5)), TlsMode.NONE, 50);
    }

    @AfterAll
    static void stop() throws Exception {
        dnsmasq.close();
        primary.close();
        otherBackup.close();
    }

    private RoutePlanner planner() {
        MailLog mailLog = new MailLog("mxguard.test", "postfix-mxguard", java.time.Clock.systemUTC(), log::add);
        return new RoutePlanner(settings, dns, new Random(3), LocalIdentity.from(settings), mailLog);
    }

    @Test
    void backupRelaysOnlyToMorePreferredHosts() {
        Route route = planner().route(Domain.parse("protected.test"));
        assertThat(((Route.Targets) route).targets()).extracting(Target::relay)
                .containsExactly("primary.protected.test[127.0.0.2]:" + primary.port());
    }

    @Test
    void interfaceAddressesRecogniseThisHost() {
        Route route = planner().route(Domain.parse("selfaddr.test"));
        assertThat(((Route.Targets) route).targets()).extracting(Target::hostName)
                .containsExactly("primary.selfaddr.test");
    }

    @Test
    void bestMxLoopsBackToMyselfAndBounces() {
        Route.Bounce bounce = (Route.Bounce) planner().route(Domain.parse("best.test"));
        assertThat(bounce.status().toString()).isEqualTo("5.4.6");
        assertThat(bounce.reason()).isEqualTo("mail for best.test loops back to myself");
        assertThat(log).anyMatch(l -> l.contains("smtp[") && l.contains("warning: mail for best.test loops back"));
        Route.Bounce equal = (Route.Bounce) planner().route(Domain.parse("equal.test"));
        assertThat(equal.reason()).isEqualTo("mail for equal.test loops back to myself");
    }

    @Test
    void backupWithoutAReachablePrimaryDefers() {
        Route.Defer defer = (Route.Defer) planner().route(Domain.parse("ghost.test"));
        assertThat(defer.status().toString()).isEqualTo("4.4.4");
        assertThat(defer.reason()).isEqualTo("unable to find primary relay for ghost.test");
    }

    @Test
    void nullMxAndMissingDomainsArePermanent() {
        assertThat(((Route.Bounce) planner().route(Domain.parse("nullmx.test"))).status().toString()).isEqualTo("5.1.10");
        assertThat(((Route.Bounce) planner().route(Domain.parse("missing.test"))).status().toString()).isEqualTo("5.4.4");
        assertThat(((Route.Targets) planner().route(Domain.parse("implicit.test"))).targets()).extracting(Target::hostName)
                .containsExactly("implicit.test");
    }

    @Test
    void deliveryThroughDnsNeverGoesToAnotherBackupAndFallsThroughToTheNextPrimary() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-20T08:00:00Z"));
        MemorySpool spool = new MemorySpool();
        MailLog mailLog = new MailLog("mxguard.test", "postfix-mxguard", clock, log::add);
        primary.banner = "421 4.3.2 down";
        primary.received.clear();
        otherBackup.received.clear();
        int backupConnections = otherBackup.connections.get();
        try (DeliveryScheduler scheduler = TestScheduler.build(spool, settings, dns, mailLog, clock, new Random(1))) {
            QueueId protectedMail = spool.add(envelope("bob@protected.test"), "Subject: one\r\n\r\nbody\r\n");
            QueueId twoMail = spool.add(envelope("carol@two.test"), "Subject: two\r\n\r\nbody\r\n");
            scheduler.queued(protectedMail);
            scheduler.queued(twoMail);
            scheduler.runDue();

            // protected.test: the primary refused, and the tertiary (another backup) was never contacted.
            assertThat(spool.load(protectedMail)).isPresent();
            // two.test: the first primary refused, the second one took it.
            assertThat(spool.load(twoMail)).isEmpty();
            assertThat(otherBackup.received).singleElement().satisfies(r ->
                    assertThat(r.recipients()).containsExactly("carol@two.test"));
            assertThat(otherBackup.connections.get()).isEqualTo(backupConnections + 1);

            primary.banner = "220 primary ESMTP";
            clock.set(scheduler.nextDue().orElseThrow());
            scheduler.runDue();
            assertThat(spool.list()).isEmpty();
            assertThat(primary.received).singleElement().satisfies(r ->
                    assertThat(r.recipients()).containsExactly("bob@protected.test"));
            assertThat(otherBackup.connections.get()).isEqualTo(backupConnections + 1);
        } finally {
            primary.banner = "220 sink.test ESMTP scripted";
        }
    }

    @Test
    void aMessageThatNeedsSmtpUtf8WaitsForAPrimaryThatOffersIt() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-20T08:00:00Z"));
        MemorySpool spool = new MemorySpool();
        MailLog mailLog = new MailLog("mxguard.test", "postfix-mxguard", clock, log::add);
        List<String> plainExtensions = primary.extensions;
        // two.test: the first primary answers without SMTPUTF8, the second is down for now.
        otherBackup.banner = "421 4.3.2 down";
        otherBackup.received.clear();
        try (DeliveryScheduler scheduler = TestScheduler.build(spool, settings, dns, mailLog, clock, new Random(1))) {
            ClientInfo client = new ClientInfo(InetAddress.getByName("198.51.100.20"), 1025, "unknown", "x", "UTF8SMTP",
                    null);
            QueueId id = spool.add(new Envelope(MailAddress.of("alice", "sender.test"),
                    List.of(MailAddress.of("j\u00f6rg", "two.test")), client, clock.instant(), true, true),
                    "Subject: hi\r\n\r\nbody\r\n");
            scheduler.queued(id);
            scheduler.runDue();
            assertThat(spool.load(id)).as("deferred, not bounced: the second primary may take it").isPresent();
            assertThat(spool.load(id).orElseThrow().state().lastError()).contains("421 4.3.2 down");

            otherBackup.banner = "220 up.two.test ESMTP";
            otherBackup.extensions = List.of("PIPELINING", "SMTPUTF8");
            clock.set(scheduler.nextDue().orElseThrow());
            scheduler.runDue();
            assertThat(spool.list()).isEmpty();
            assertThat(otherBackup.received).singleElement().satisfies(r ->
                    assertThat(r.mailFrom()).isEqualTo("<alice@sender.test> SMTPUTF8"));
        } finally {
            otherBackup.banner = "220 sink.test ESMTP scripted";
            otherBackup.extensions = plainExtensions;
        }
    }

    private static Envelope envelope(String rcpt) throws Exception {
        ClientInfo client = new ClientInfo(InetAddress.getByName("198.51.100.20"), 1025, "unknown", "x", "SMTP", null);
        String[] parts = rcpt.split("@");
        return new Envelope(MailAddress.of("alice", "sender.test"), List.of(MailAddress.of(parts[0], parts[1])), client,
                Instant.parse("2026-11-20T08:00:00Z"), false, false);
    }

    @Test
    void staticRoutesOverrideDns() {
        DeliverySettings routed = settings.withRoutes(Map.of(Domain.parse("best.test"), StaticRoute.parse("[127.0.0.3]:2525")));
        MailLog mailLog = new MailLog("mxguard.test", "postfix-mxguard", java.time.Clock.systemUTC(), log::add);
        Route route = new RoutePlanner(routed, dns, new Random(), LocalIdentity.from(routed), mailLog)
                .route(Domain.parse("best.test"));
        assertThat(((Route.Targets) route).targets()).extracting(Target::relay).containsExactly("127.0.0.3[127.0.0.3]:2525");
    }
}
