package org.mxguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
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
import org.mxguard.peer.Peer;
import org.mxguard.spool.MemorySpool;

/** Delivery to Postfix's smtp-sink, an SMTP server nobody here wrote. */
@Tag("peer")
class PostfixSmtpSinkIT {

    @TempDir
    Path dir;

    private Process sink;
    private int port;

    @BeforeEach
    void startSmtpSink() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path dumps = Files.createDirectories(dir.resolve("dumps"));
        List<String> command = new ArrayList<>(List.of(Peer.require("smtp-sink")));
        if ("root".equals(System.getProperty("user.name"))) {
            // smtp-sink refuses to run as root without a user to switch to after binding.
            command.addAll(List.of("-u", "root"));
        }
        command.addAll(List.of("-d", dumps + "/%M.", "127.0.0.1:" + port, "100"));
        sink = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("sink.log").toFile())
                .start();
        awaitListening();
    }

    @AfterEach
    void stopSmtpSink() throws Exception {
        sink.destroy();
        if (!sink.waitFor(5, TimeUnit.SECONDS)) {
            sink.destroyForcibly().waitFor();
        }
    }

    @Test
    void messagesArriveWithEnvelopeAndUnstuffedContent() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-20T08:00:00Z"));
        MemorySpool spool = new MemorySpool();
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        DeliverySettings settings = DeliverySettings.defaults("mxguard.test")
                .withRoutes(Map.of(Domain.parse("protected.test"), StaticRoute.parse("[127.0.0.1]:" + port)))
                .withSmtp(SmtpTimeouts.all(Duration.ofSeconds(10)), TlsMode.MAY, 50);
        DnsClient dns = new DnsClient(DnsSettings.server(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9),
                Duration.ofMillis(100)));
        try (DeliveryScheduler scheduler = TestScheduler.build(spool, settings, dns,
                new MailLog("mxguard.test", "postfix-mxguard", clock, log::add), clock, new Random(1))) {
            for (int i = 0; i < 3; i++) {
                ClientInfo client = new ClientInfo(InetAddress.getByName("203.0.113." + (10 + i)), 1025, "unknown", "x",
                        "ESMTP", null);
                Envelope envelope = new Envelope(MailAddress.of("alice", "sender.test"),
                        List.of(MailAddress.of("bob" + i, "protected.test"), MailAddress.of("carol" + i, "protected.test")),
                        client, clock.instant(), true, false);
                QueueId id = spool.add(envelope, "Subject: message " + i + "\r\n\r\n.starts with a dot\r\nend\r\n");
                scheduler.queued(id);
            }
            assertThat(scheduler.runDue()).isEqualTo(3);
        }
        assertThat(spool.list()).isEmpty();
        List<String> dumps;
        try (Stream<Path> files = Files.list(dir.resolve("dumps"))) {
            dumps = files.map(PostfixSmtpSinkIT::read).toList();
        }
        assertThat(dumps).hasSize(3);
        assertThat(dumps).allSatisfy(d -> {
            assertThat(d).contains("X-Helo-Args: mxguard.test\n", "X-Mail-Args: <alice@sender.test>",
                    "\n.starts with a dot\nend\n");
            assertThat(d.lines().filter(l -> l.startsWith("X-Rcpt-Args:"))).hasSize(2);
        });
        assertThat(dumps).anyMatch(d -> d.contains("X-Rcpt-Args: <bob1@protected.test>") && d.contains("Subject: message 1"));
        assertThat(log).filteredOn(l -> l.contains("status=sent (250 2.0.0 Ok)")).hasSize(6);
    }

    @Test
    void fiveThousandOctetLinesArriveFoldedWithinTheLimitAndReadTheSame() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-20T08:00:00Z"));
        MemorySpool spool = new MemorySpool();
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        DeliverySettings settings = DeliverySettings.defaults("mxguard.test")
                .withRoutes(Map.of(Domain.parse("protected.test"), StaticRoute.parse("[127.0.0.1]:" + port)))
                .withSmtp(SmtpTimeouts.all(Duration.ofSeconds(10)), TlsMode.NONE, 50);
        DnsClient dns = new DnsClient(DnsSettings.server(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9),
                Duration.ofMillis(100)));
        StringBuilder html = new StringBuilder("<html><body>");
        for (int i = 0; html.length() < 5000; i++) {
            html.append("<p class=\"c").append(i).append("\">word ").append(i).append("</p> ");
        }
        String subject = "Subject:" + " very long subject".repeat(300);
        String blob = "." + "z".repeat(4999);
        String content = subject + "\r\nContent-Type: text/html\r\n\r\n" + html + "\r\n" + blob + "\r\n.\r\nend\r\n";
        try (DeliveryScheduler scheduler = TestScheduler.build(spool, settings, dns,
                new MailLog("mxguard.test", "postfix-mxguard", clock, log::add), clock, new Random(1))) {
            ClientInfo client = new ClientInfo(InetAddress.getByName("203.0.113.10"), 1025, "unknown", "x", "ESMTP", null);
            Envelope envelope = new Envelope(MailAddress.of("alice", "sender.test"),
                    List.of(MailAddress.of("bob", "protected.test")), client, clock.instant(), true, false);
            scheduler.queued(spool.add(envelope, content));
            scheduler.runDue();
        }
        assertThat(spool.list()).as("delivered").isEmpty();
        String dump;
        try (Stream<Path> files = Files.list(dir.resolve("dumps"))) {
            dump = read(files.findFirst().orElseThrow());
        }
        String message = dump.substring(dump.indexOf("Subject:"));
        assertThat(message.lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(998));
        // The header unfolds to what was sent; the HTML differs only in whitespace; the blob loses only the
        // inserted line break and space; the lone dot line and the rest came through.
        String unfolded = message.replaceAll("\n(?=[ \t])", "");
        assertThat(unfolded).startsWith(subject + "\n");
        assertThat(unfolded).contains("\n" + html + "\n");
        assertThat(message.replace("\n ", "")).contains("\n" + blob + "\n.\nend\n");
        assertThat(log).anyMatch(l -> l.contains("status=sent"));
    }

    private void awaitListening() throws InterruptedException, IOException {
        // smtp-sink prints nothing when ready; it is ready once it accepts a connection.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!sink.isAlive()) {
                throw new IOException("smtp-sink exited: " + Files.readString(dir.resolve("sink.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                Thread.onSpinWait();
                TimeUnit.MILLISECONDS.sleep(20);
            }
        }
        throw new IOException("smtp-sink did not start listening on port " + port);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
