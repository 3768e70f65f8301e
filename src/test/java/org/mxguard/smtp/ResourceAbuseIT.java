package org.mxguard.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mxguard.policy.Cidr;
import org.mxguard.policy.PolicyEngine;

/**
 * Clients that hold sessions without sending mail: junk commands, octets trickled under the
 * timeout, and a few addresses taking every connection slot.
 */
class ResourceAbuseIT {

    @Test
    void junkCommandsPastTheLimitCountAsErrorsUntil421() throws Exception {
        // the defaults: 100 junk commands, then each one is an error; 20 errors end the session
        try (TestServer server = TestServer.start(); SmtpTestClient client = server.connect()) {
            client.converse("""
                    >220
                    EHLO client.example\r
                    >250
                    """);
            StringBuilder junk = new StringBuilder();
            String[] verbs = {"NOOP", "RSET", "VRFY postmaster", "HELP", "NOOP"};
            for (int i = 0; i < 130; i++) {
                junk.append(verbs[i % verbs.length]).append("\r\n");
            }
            client.send(junk.toString());
            int answered = 0;
            String reply;
            while (!(reply = client.reply()).startsWith("421")) {
                assertThat(reply).matches("(250|252|214) .*");
                answered++;
            }
            assertThat(answered).isEqualTo(120);
            assertThat(reply).isEqualTo("421 4.7.0 mx2.example.org Error: too many errors");
            assertThat(client.closedByServer()).isTrue();
            assertThat(server.awaitLog("too many errors")).endsWith(
                    "too many errors after NOOP from client.example[127.0.0.1]");
        }
    }

    @Test
    void queuingAMessageResetsTheJunkCount() throws Exception {
        try (TestServer server = TestServer.start(s -> s.withJunkCommandLimit(2).withLimits(10_240_000, 100, 100, 50, 2),
                PolicyEngine.NONE); SmtpTestClient client = server.connect()) {
            client.converse("""
                    >220
                    EHLO client.example\r
                    >250
                    NOOP\r
                    >250
                    NOOP\r
                    >250
                    NOOP\r
                    >250
                    MAIL FROM:<x@client.example>\r
                    >250
                    RCPT TO:<a@example.org>\r
                    >250
                    DATA\r
                    >354
                    \r
                    .\r
                    >250 2.0.0 Ok: queued as
                    NOOP\r
                    >250
                    NOOP\r
                    >250
                    NOOP\r
                    >250
                    NOOP\r
                    >250
                    >421 4.7.0 mx2.example.org Error: too many errors
                    """);
        }
    }

    @Test
    void aCommandTrickledOneOctetAtATimeTimesOutAtTheDeadline() throws Exception {
        try (TestServer server = TestServer.start(s -> s.withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1)),
                PolicyEngine.NONE); SmtpTestClient client = server.connect()) {
            client.expect("220");
            long start = System.nanoTime();
            Thread trickle = Thread.ofVirtual().start(() -> trickle(client, "EHLO client.example.example.example\r\n"));
            client.expect("421 4.4.2 mx2.example.org Error: timeout exceeded");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            assertThat(server.awaitLog("timeout after")).endsWith("timeout after CONNECT from client.example[127.0.0.1]");
            trickle.interrupt();
        }
    }

    @Test
    void messageDataTrickledBelowTheMinimumRateTimesOut() throws Exception {
        try (TestServer server = TestServer.start(s -> s.withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(1)),
                PolicyEngine.NONE); SmtpTestClient client = server.connect()) {
            client.converse("""
                    >220
                    EHLO client.example\r
                    >250
                    MAIL FROM:<x@client.example>\r
                    >250
                    RCPT TO:<a@example.org>\r
                    >250
                    DATA\r
                    >354
                    """);
            long start = System.nanoTime();
            Thread trickle = Thread.ofVirtual().start(() -> trickle(client, "Subject: slow\r\n\r\n" + "x".repeat(100)));
            client.expect("421 4.4.2 mx2.example.org Error: timeout exceeded");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            assertThat(server.awaitLog("timeout after")).contains("timeout after DATA (");
            assertThat(server.spool.messages()).isEmpty();
            trickle.interrupt();
        }
    }

    @Test
    void underStressOneErrorEndsASession() throws Exception {
        // 5 slots: stress from the fourth session on (four fifths taken)
        try (TestServer server = TestServer.start(s -> s.withLimits(10_240_000, 100, 5, 50, 20), PolicyEngine.NONE);
                SmtpTestClient calm = server.connect()) {
            calm.converse("""
                    >220
                    FROB\r
                    >500
                    """);
            List<SmtpTestClient> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    held.add(server.connect());
                    held.getLast().expect("220");
                }
                calm.converse("""
                        FROB\r
                        >500
                        >421 4.7.0 mx2.example.org Error: too many errors
                        """);
            } finally {
                for (SmtpTestClient client : held) {
                    client.close();
                }
            }
        }
    }

    @Test
    void exemptNetworksHaveNoPerClientLimit() throws Exception {
        try (TestServer server = TestServer.start(s -> s.withLimits(10_240_000, 100, 100, 1, 20)
                .withConnectionLimitExemptions(List.of(Cidr.parse("127.0.0.0/30"))), PolicyEngine.NONE);
                SmtpTestClient first = server.connect(); SmtpTestClient second = server.connect();
                SmtpTestClient other = SmtpTestClient.connect(server.port(), "127.0.0.4");
                SmtpTestClient otherAgain = SmtpTestClient.connect(server.port(), "127.0.0.4")) {
            first.expect("220");
            second.expect("220");
            other.expect("220");
            otherAgain.expect("421 4.7.0 mx2.example.org Error: too many connections from 127.0.0.4");
        }
    }

    /**
     * 200 connections from two addresses, half idle and half sending an octet a second, against
     * the default limits (100 slots, 50 per client, 5-minute timeouts): a client from a third
     * address still gets its mail accepted at once.
     */
    @Test
    void twoHostileAddressesDoNotLockOutALegitimateClient() throws Exception {
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        List<Socket> hostile = new ArrayList<>();
        try (TestServer server = TestServer.start(s -> s.withTimeouts(Duration.ofMinutes(5), Duration.ofMinutes(3)),
                PolicyEngine.NONE)) {
            int greeted = 0;
            int refused = 0;
            for (int i = 0; i < 200; i++) {
                Socket socket = new Socket();
                hostile.add(socket);
                socket.bind(new InetSocketAddress(InetAddress.getByName(i % 2 == 0 ? "127.0.0.2" : "127.0.0.3"), 0));
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
                socket.setSoTimeout(5000);
                String first = firstLine(socket.getInputStream());
                if (first.startsWith("220")) {
                    greeted++;
                    if (i % 4 < 2) {
                        // an octet a second, never a whole command
                        ticker.scheduleAtFixedRate(() -> {
                            try {
                                socket.getOutputStream().write('N');
                            } catch (IOException closed) {
                                // the server dropped it
                            }
                        }, 0, 1, TimeUnit.SECONDS);
                    }
                } else {
                    assertThat(first).startsWith("421 4.7.0 mx2.example.org Error: too many connections from 127.0.0.");
                    refused++;
                }
            }
            assertThat(greeted).as("slots the two hostile addresses got").isLessThanOrEqualTo(90);
            assertThat(refused).isGreaterThanOrEqualTo(110);

            long start = System.nanoTime();
            try (SmtpTestClient client = SmtpTestClient.connect(server.port(), "127.0.0.1")) {
                client.converse("""
                        >220
                        EHLO legitimate.example\r
                        >250
                        MAIL FROM:<someone@legitimate.example>\r
                        >250
                        RCPT TO:<a@example.org>\r
                        >250
                        DATA\r
                        >354
                        Subject: hello\r
                        \r
                        real mail\r
                        .\r
                        >250 2.0.0 Ok: queued as
                        QUIT\r
                        >221
                        """);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(server.spool.messages()).hasSize(1);
        } finally {
            ticker.shutdownNow();
            for (Socket socket : hostile) {
                socket.close();
            }
        }
    }

    private static String firstLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII).strip();
    }

    /** Sends the text an octet every 300 ms, each within any per-read timeout, until the server closes. */
    private static void trickle(SmtpTestClient client, String text) {
        try {
            for (int i = 0; ; i++) {
                client.send(String.valueOf(text.charAt(i % text.length())));
                Thread.sleep(300);
            }
        } catch (IOException | InterruptedException ended) {
            // the server closed the connection, or the test is over
        }
    }
}
