package org.mxguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mxguard.mail.ClientInfo;
import org.mxguard.mail.MailAddress;

/** The SMTP client against a scripted server on a loopback port. */
class SmtpClientIT {

    private static final String CONTENT = """
            From: a@sender.test\r
            To: x@protected.test\r
            Subject: dots\r
            \r
            .a line that starts with a dot\r
            .\r
            ..two\r
            last line without end""";

    private ScriptedSink sink;
    private final SmtpClient client = new SmtpClient("mxguard.test", SmtpTimeouts.all(Duration.ofSeconds(5)),
            TlsMode.MAY);
    /** For servers that hang: the test takes as long as this timeout. */
    private final SmtpClient impatient = new SmtpClient("mxguard.test", SmtpTimeouts.all(Duration.ofMillis(500)),
            TlsMode.MAY);

    @BeforeEach
    void startSink() throws Exception {
        sink = new ScriptedSink();
    }

    @AfterEach
    void stopSink() throws Exception {
        sink.close();
    }

    @Test
    void aWriteLeavesNoWatchdogBehindOnceItIsDone() {
        // Each write is guarded by a watchdog that closes a stalled socket at the stage's deadline
        // (minutes in production); a finished write's must not wait in the queue until then. (Other
        // tests' writes still in progress may have theirs waiting: only the difference counts.)
        int before = ClientConnection.watchdogsWaiting();
        for (int i = 0; i < 200; i++) {
            assertThat(client.deliver(target(), tx("ok@protected.test"))).isInstanceOf(SessionResult.Completed.class);
        }
        assertThat(sink.received).hasSize(200);
        assertThat(ClientConnection.watchdogsWaiting() - before).as("watchdogs left waiting").isLessThan(10);
    }

    @Test
    void eachRecipientGetsItsOwnOutcomeWithPipelining() {
        sink.rcptReply = rcpt -> switch (rcpt) {
            case "busy@protected.test" -> "452 4.2.2 Mailbox full";
            case "nobody@protected.test" -> "550 5.1.1 <nobody@protected.test>: Recipient address rejected";
            default -> "250 2.1.5 Ok";
        };
        SessionResult result = client.deliver(target(), tx("ok@protected.test", "busy@protected.test",
                "nobody@protected.test"));

        List<DeliveryResult> results = ((SessionResult.Completed) result).results();
        assertThat(results.get(0)).isInstanceOf(DeliveryResult.Delivered.class);
        assertThat(results.get(0).relay()).isEqualTo("sink.test[127.0.0.1]:" + sink.port());
        assertThat(((DeliveryResult.Delivered) results.get(0)).reply().toString())
                .isEqualTo("250 2.0.0 Ok: queued as SINK");
        assertThat(results.get(1)).isInstanceOf(DeliveryResult.Deferred.class);
        assertThat(results.get(1).status().toString()).isEqualTo("4.2.2");
        assertThat(((DeliveryResult.Deferred) results.get(1)).reason()).isEqualTo(
                "host sink.test[127.0.0.1] said: 452 4.2.2 Mailbox full (in reply to RCPT TO command)");
        DeliveryResult.Bounced bounced = (DeliveryResult.Bounced) results.get(2);
        assertThat(bounced.status().toString()).isEqualTo("5.1.1");
        assertThat(bounced.remoteReply().code()).isEqualTo(550);

        assertThat(sink.received).singleElement().satisfies(r -> {
            assertThat(r.mailFrom()).isEqualTo("<a@sender.test> SIZE=" + CONTENT.length() + " BODY=8BITMIME");
            assertThat(r.recipients()).containsExactly("ok@protected.test");
            // Dot-stuffed on the wire, unstuffed by the server, and a final CRLF added.
            assertThat(r.content()).isEqualTo(CONTENT + "\r\n");
            assertThat(r.helo()).isEqualTo("mxguard.test");
        });
        // MAIL, both RCPTs and DATA went in one write; the sink saw them all before any content.
        assertThat(sink.commands).containsSequence("MAIL FROM:<a@sender.test> SIZE=" + CONTENT.length()
                + " BODY=8BITMIME", "RCPT TO:<ok@protected.test>", "RCPT TO:<busy@protected.test>",
                "RCPT TO:<nobody@protected.test>", "DATA");
    }

    @Test
    void withoutPipeliningCommandsGoOneByOne() {
        sink.extensions = List.of("SIZE 10240000");
        sink.rcptReply = rcpt -> rcpt.startsWith("no") ? "550 5.1.1 unknown" : "250 2.1.5 Ok";
        SessionResult.Completed result = (SessionResult.Completed) client.deliver(target(),
                tx("ok@protected.test", "no@protected.test"));
        assertThat(result.results()).extracting(r -> r.getClass().getSimpleName())
                .containsExactly("Delivered", "Bounced");
        assertThat(sink.received.getFirst().mailFrom()).isEqualTo("<a@sender.test> SIZE=" + CONTENT.length());
    }

    @Test
    void fallsBackToHeloWhenEhloIsRefused() {
        sink.ehlo = false;
        SessionResult.Completed result = (SessionResult.Completed) client.deliver(target(), tx("ok@protected.test"));
        assertThat(result.results().getFirst()).isInstanceOf(DeliveryResult.Delivered.class);
        assertThat(sink.commands).contains("EHLO mxguard.test", "HELO mxguard.test", "MAIL FROM:<a@sender.test>");
        assertThat(sink.commands).noneMatch(c -> c.startsWith("XFORWARD"));
    }

    @Test
    void xforwardHandsTheOriginalClientToTheServer() {
        client.deliver(target(), tx("ok@protected.test"));
        assertThat(sink.received.getFirst().xforward()).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
                "NAME", "dialup-7.isp.example", "ADDR", "203.0.113.7", "PORT", "40123",
                "HELO", "friend", "PROTO", "ESMTP"));
    }

    @Test
    void xforwardSendsOnlyOfferedAttributesAndMarksUnknownNames() throws Exception {
        sink.extensions = List.of("XFORWARD NAME ADDR");
        ClientInfo unknown = new ClientInfo(InetAddress.getByName("2001:db8::7"), 1, "unknown", null, "SMTP", null);
        client.deliver(target(), new ClientTransaction(MailAddress.of("a", "sender.test"),
                List.of(MailAddress.of("ok", "protected.test")), CONTENT.length(), false, false, unknown, this::content));
        assertThat(sink.received.getFirst().xforward()).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
                "NAME", "[UNAVAILABLE]", "ADDR", "IPV6:2001:db8::7"));
    }

    @Test
    void greetingRefusalIsAHostFailureSoTheNextAddressIsTried() {
        sink.banner = "421 4.3.2 Service not available";
        SessionResult result = client.deliver(target(), tx("ok@protected.test"));
        assertThat(result).isInstanceOf(SessionResult.HostFailed.class);
        assertThat(((SessionResult.HostFailed) result).reason())
                .isEqualTo("host sink.test[127.0.0.1] refused to talk to me: 421 4.3.2 Service not available");
    }

    @Test
    void refusedConnectionIsAHostFailure() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        SessionResult.HostFailed result = (SessionResult.HostFailed) client.deliver(
                new Target("down.test", InetAddress.getLoopbackAddress(), closedPort), tx("ok@protected.test"));
        assertThat(result.reason()).isEqualTo("connect to down.test[127.0.0.1]:" + closedPort + ": Connection refused");
        assertThat(result.status().klass()).isEqualTo(4);
    }

    @Test
    void permanentMailFromRefusalBouncesEveryRecipient() {
        sink.mailReply = "553 5.7.1 <a@sender.test>: Sender address rejected";
        SessionResult.Completed result = (SessionResult.Completed) client.deliver(target(),
                tx("ok@protected.test", "two@protected.test"));
        assertThat(result.results()).allSatisfy(r -> {
            assertThat(r).isInstanceOf(DeliveryResult.Bounced.class);
            assertThat(((DeliveryResult.Bounced) r).reason()).endsWith("(in reply to MAIL FROM command)");
        });
    }

    @Test
    void temporaryMailFromRefusalIsAHostFailure() {
        sink.mailReply = "451 4.3.0 try later";
        assertThat(client.deliver(target(), tx("ok@protected.test"))).isInstanceOf(SessionResult.HostFailed.class);
    }

    @Test
    void hangingServerTimesOutAsATemporaryFailure() {
        sink.hangAt = "RCPT";
        sink.extensions = List.of("8BITMIME");
        SessionResult.Completed result = (SessionResult.Completed) impatient.deliver(target(), tx("ok@protected.test"));
        DeliveryResult.Deferred deferred = (DeliveryResult.Deferred) result.results().getFirst();
        assertThat(deferred.reason()).isEqualTo(
                "conversation with sink.test[127.0.0.1] timed out while sending RCPT TO");
    }

    @Test
    void hangingGreetingIsAHostFailure() {
        sink.hangAt = "GREETING";
        SessionResult.HostFailed failed = (SessionResult.HostFailed) impatient.deliver(target(), tx("ok@protected.test"));
        assertThat(failed.reason()).contains("timed out while receiving the initial server greeting");
    }

    @Test
    void disconnectAfterTheContentIsTemporaryNeverPermanent() {
        sink.dropAt = "END";
        SessionResult.Completed result = (SessionResult.Completed) client.deliver(target(), tx("ok@protected.test"));
        assertThat(result.results().getFirst()).isInstanceOf(DeliveryResult.Deferred.class);
        assertThat(((DeliveryResult.Deferred) result.results().getFirst()).reason()).isEqualTo(
                "lost connection with sink.test[127.0.0.1] while sending end of data -- message may be sent more than once");
    }

    @Test
    void rejectedDataIsPerAcceptedRecipient() {
        sink.dataReply = "554 5.7.1 no thanks";
        SessionResult.Completed result = (SessionResult.Completed) client.deliver(target(), tx("ok@protected.test"));
        assertThat(result.results().getFirst()).isInstanceOf(DeliveryResult.Bounced.class);
        assertThat(((DeliveryResult.Bounced) result.results().getFirst()).reason()).endsWith("(in reply to DATA command)");
    }

    @Test
    void messageLargerThanTheServersSizeLimitBounces() {
        sink.extensions = List.of("SIZE 10");
        SessionResult.Completed result = (SessionResult.Completed) client.deliver(target(), tx("ok@protected.test"));
        assertThat(result.results().getFirst().status().toString()).isEqualTo("5.3.4");
        assertThat(sink.commands).noneMatch(c -> c.startsWith("MAIL"));
    }

    @Test
    void starttlsRefusedInOpportunisticModeContinuesInPlainText() {
        sink.extensions = List.of("STARTTLS", "PIPELINING");
        SessionResult.Completed result = (SessionResult.Completed) client.deliver(target(), tx("ok@protected.test"));
        assertThat(result.results().getFirst()).isInstanceOf(DeliveryResult.Delivered.class);
        assertThat(sink.commands).contains("STARTTLS");
    }

    @Test
    void verifyModeNeverSendsWithoutTls() {
        SmtpClient strict = new SmtpClient("mxguard.test", SmtpTimeouts.all(Duration.ofSeconds(5)), TlsMode.VERIFY);
        SessionResult.HostFailed failed = (SessionResult.HostFailed) strict.deliver(target(), tx("ok@protected.test"));
        assertThat(failed.reason()).startsWith("TLS is required, but was not offered");
        assertThat(sink.received).isEmpty();
    }

    @Test
    void nextMessageToTheSameAddressReusesTheConnection() {
        try (SmtpClient reusing = new SmtpClient("mxguard.test", SmtpTimeouts.all(Duration.ofSeconds(5)), TlsMode.MAY,
                Duration.ofSeconds(30), TlsContexts.of(null))) {
            assertThat(reusing.deliver(target(), tx("one@protected.test"))).isInstanceOf(SessionResult.Completed.class);
            assertThat(reusing.deliver(target(), tx("two@protected.test"))).isInstanceOf(SessionResult.Completed.class);
        }
        assertThat(sink.received).extracting(r -> r.recipients().getFirst())
                .containsExactly("one@protected.test", "two@protected.test");
        assertThat(sink.connections.get()).isEqualTo(1);
        assertThat(sink.commands).filteredOn(c -> c.startsWith("EHLO")).hasSize(1);
        assertThat(sink.commands).filteredOn(c -> c.equals("RSET")).hasSize(2);
        // The second message still carries its own client's XFORWARD attributes.
        assertThat(sink.commands).filteredOn(c -> c.startsWith("XFORWARD")).hasSize(2);
    }

    @Test
    void aCachedConnectionTheServerClosedIsReplacedWithoutLosingTheMessage() {
        sink.closeAfterRset = true;
        try (SmtpClient reusing = new SmtpClient("mxguard.test", SmtpTimeouts.all(Duration.ofSeconds(5)), TlsMode.MAY,
                Duration.ofSeconds(30), TlsContexts.of(null))) {
            reusing.deliver(target(), tx("one@protected.test"));
            SessionResult second = reusing.deliver(target(), tx("two@protected.test"));
            assertThat(((SessionResult.Completed) second).results().getFirst())
                    .isInstanceOf(DeliveryResult.Delivered.class);
        }
        assertThat(sink.received).hasSize(2);
        assertThat(sink.connections.get()).isEqualTo(2);
    }

    @Test
    void deliversOverIpv6() throws Exception {
        ScriptedSink bound;
        try {
            bound = new ScriptedSink(InetAddress.getByName("::1"), 0);
        } catch (java.io.IOException e) {
            // Some containers run without IPv6; the rest of the client is the same code.
            org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + e);
            return;
        }
        try (ScriptedSink v6 = bound) {
            Target target = new Target("v6.sink.test", v6.address(), v6.port());
            SessionResult.Completed result = (SessionResult.Completed) client.deliver(target, tx("ok@protected.test"));
            assertThat(result.results().getFirst().relay()).isEqualTo("v6.sink.test[::1]:" + v6.port());
            assertThat(v6.received).hasSize(1);
        }
    }

    @Test
    void aServerThatGreetsWithOurOwnNameIsThisHostAndGetsNoMail() {
        sink.banner = "220 mxguard.test ESMTP Postfix";
        SessionResult result = client.deliver(target(), tx("ok@protected.test"));
        assertThat(result).isEqualTo(new SessionResult.Looped(
                "host sink.test[127.0.0.1] greeted me with my own hostname mxguard.test"));
        assertThat(sink.commands).noneMatch(c -> c.startsWith("MAIL"));
        assertThat(sink.received).isEmpty();
    }

    @Test
    void aServerThatAnswersEhloWithOurOwnNameIsThisHostAndGetsNoMail() {
        sink.name = "MXGUARD.TEST";
        SessionResult result = client.deliver(target(), tx("ok@protected.test"));
        assertThat(result).isEqualTo(new SessionResult.Looped(
                "host sink.test[127.0.0.1] replied to HELO/EHLO with my own hostname mxguard.test"));
        assertThat(sink.commands).noneMatch(c -> c.startsWith("MAIL"));
    }

    private Target target() {
        return new Target("sink.test", sink.address(), sink.port());
    }

    private ClientTransaction tx(String... recipients) {
        ClientInfo client;
        try {
            client = new ClientInfo(InetAddress.getByName("203.0.113.7"), 40123, "dialup-7.isp.example", "friend",
                    "ESMTP", null);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        return new ClientTransaction(MailAddress.of("a", "sender.test"),
                java.util.Arrays.stream(recipients).map(r -> MailAddress.of(r.split("@")[0], r.split("@")[1])).toList(),
                CONTENT.length(), true, false, client, this::content);
    }

    private java.io.InputStream content() {
        return new ByteArrayInputStream(CONTENT.getBytes(StandardCharsets.UTF_8));
    }
}
