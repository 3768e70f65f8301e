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
 * Mail received with SMTPUTF8 (RFC 6531) on its way to the primary: sent with the parameter when
 * it needs it, never downgraded, bounced with 5.6.7 when no primary can take it.
 */
class SmtpUtf8DeliveryIT {

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
        senders = new ScriptedSink();
        senders.extensions = List.of("PIPELINING", "8BITMIME", "SMTPUTF8");
    }

    @AfterEach
    void stop() throws Exception {
        if (scheduler != null) {
            scheduler.close();
        }
        primary.close();
        senders.close();
    }

    @Test
    void aUtf8RecipientGoesWithTheSmtpUtf8Parameter() throws Exception {
        primary.extensions = List.of("PIPELINING", "8BITMIME", "SMTPUTF8");
        scheduler = scheduler(primary.route());
        accept(MailAddress.of("alice", "sender.test"), MailAddress.of("j\u00f6rg", "protected.test"), "Subject: hi\r\n");

        assertThat(primary.received).singleElement().satisfies(r -> {
            assertThat(r.mailFrom()).isEqualTo("<alice@sender.test> BODY=8BITMIME SMTPUTF8");
            assertThat(r.recipients()).containsExactly("j\u00f6rg@protected.test");
        });
    }

    @Test
    void aUtf8HeaderNeedsSmtpUtf8TooButAnAsciiMessageGoesWithout() throws Exception {
        primary.extensions = List.of("PIPELINING", "8BITMIME", "SMTPUTF8");
        scheduler = scheduler(primary.route());
        accept(MailAddress.of("alice", "sender.test"), MailAddress.of("bob", "protected.test"),
                "From: J\u00f6rg <alice@sender.test>\r\n");
        accept(MailAddress.of("alice", "sender.test"), MailAddress.of("bob", "protected.test"),
                "Subject: plain\r\n\r\nJ\u00f6rg wrote in the body only\r\n");

        assertThat(primary.received).extracting(ScriptedSink.Received::mailFrom)
                .containsExactly("<alice@sender.test> BODY=8BITMIME SMTPUTF8", "<alice@sender.test> BODY=8BITMIME");
    }

    @Test
    void aPrimaryWithoutSmtpUtf8GetsNothingAndTheSenderAFailureWith567() throws Exception {
        scheduler = scheduler(primary.route());
        QueueId id = accept(MailAddress.of("alice", "sender.test"), MailAddress.of("j\u00f6rg", "protected.test"),
                "Subject: hi\r\n");

        assertThat(primary.commands).noneMatch(c -> c.startsWith("MAIL"));
        assertThat(log).anyMatch(l -> l.contains(id + ": to=<j\u00f6rg@protected.test>") && l.contains("dsn=5.6.7")
                && l.contains("status=bounced (SMTPUTF8 is required, but was not offered by host 127.0.0.1[127.0.0.1])"));
        assertThat(senders.received).singleElement().satisfies(dsn -> assertThat(dsn.content())
                .contains("Status: 5.6.7").contains("Final-Recipient: rfc822; j\u00f6rg@protected.test"));
    }

    private QueueId accept(MailAddress sender, MailAddress rcpt, String header) throws IOException {
        ClientInfo client = new ClientInfo(InetAddress.getByName("203.0.113.7"), 40000, "mail.sender.test",
                "mail.sender.test", "UTF8SMTP", null);
        Envelope envelope = new Envelope(sender, List.of(rcpt), client, clock.instant(), true, true);
        QueueId id = spool.add(envelope, header + (header.contains("\r\n\r\n") ? "" : "\r\nhello\r\n"));
        scheduler.queued(id);
        scheduler.runDue();
        scheduler.runDue();
        return id;
    }

    private DeliveryScheduler scheduler(String route) {
        return TestScheduler.build(spool, settings(route), dns(), mailLog, clock, new Random(7));
    }

    private DeliverySettings settings(String route) {
        return DeliverySettings.defaults("mxguard.test")
                .withRoutes(Map.of(Domain.parse("protected.test"), StaticRoute.parse(route),
                        Domain.parse("sender.test"), StaticRoute.parse(senders.route())))
                .withSmtp(SmtpTimeouts.all(Duration.ofSeconds(5)), TlsMode.NONE, 50);
    }

    private static DnsClient dns() {
        // Static routes to IP literals never ask DNS; the resolver points at a port nobody serves.
        return new DnsClient(DnsSettings.server(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9),
                Duration.ofMillis(100)));
    }
}
