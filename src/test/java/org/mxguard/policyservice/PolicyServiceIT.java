package org.mxguard.policyservice;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mxguard.evidence.PrimaryContact;
import org.mxguard.mail.Reply;
import org.mxguard.policy.Decision;
import org.mxguard.policy.PolicyEngine;
import org.mxguard.policy.Reason;
import org.mxguard.policy.Stage;

/** The service over real sockets on loopback. */
class PolicyServiceIT {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-06T06:00:00Z"), ZoneOffset.UTC);

    private final ConcurrentLinkedQueue<PrimaryContact> recorded = new ConcurrentLinkedQueue<>();

    private static PolicyServiceSettings settings() {
        return PolicyServiceSettings.listeningOn(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    private PolicyService start(PolicyServiceSettings settings, PolicyEngine policy) throws IOException {
        PolicyService service = new PolicyService(settings, recorded::add, policy, CLOCK);
        service.start();
        return service;
    }

    static String rcpt(String client, String sender) {
        return """
                request=smtpd_access_policy
                protocol_state=RCPT
                protocol_name=ESMTP
                client_address=%s
                client_name=unknown
                reverse_client_name=host.dyn.example
                helo_name=helo.example
                sender=%s
                recipient=user@example.org
                instance=1a2b.6752c0f0.a1b2c.0

                """.formatted(client, sender);
    }

    /** A client that writes requests and reads answers, with a read timeout. */
    static final class Client implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;
        final OutputStream out;

        Client(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
        }

        void send(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** The answer's action, or null if the server closed the connection. */
        String answer() throws IOException {
            String line = in.readLine();
            if (line == null) {
                return null;
            }
            assertThat(line).startsWith("action=");
            assertThat(in.readLine()).isEmpty();
            return line.substring("action=".length());
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void answersDunnoAndRecordsEveryClientOnOnePersistentConnection() throws Exception {
        try (PolicyService service = start(settings().withPrimary("mx1.example.org"), PolicyEngine.NONE);
                Client client = new Client(service.port())) {
            client.send(rcpt("192.0.2.1", ""));
            assertThat(client.answer()).isEqualTo("DUNNO");
            client.send(rcpt("198.51.100.2", "a@sender.example"));
            assertThat(client.answer()).isEqualTo("DUNNO");
            assertThat(recorded).extracting(c -> c.client().getHostAddress(), PrimaryContact::nullSender,
                    PrimaryContact::primary, PrimaryContact::helo, PrimaryContact::at)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("192.0.2.1", true, "mx1.example.org", "helo.example",
                                    CLOCK.instant()),
                            org.assertj.core.groups.Tuple.tuple("198.51.100.2", false, "mx1.example.org",
                                    "helo.example", CLOCK.instant()));
            assertThat(service.requests()).isEqualTo(2);
            assertThat(service.contacts()).isEqualTo(2);
        }
    }

    @Test
    void withoutAConfiguredNameThePrimaryIsTheConnectingAddress() throws Exception {
        try (PolicyService service = start(settings(), PolicyEngine.NONE); Client client = new Client(service.port())) {
            client.send(rcpt("192.0.2.1", ""));
            assertThat(client.answer()).isEqualTo("DUNNO");
            assertThat(recorded.peek().primary()).isEqualTo(InetAddress.getLoopbackAddress().getHostAddress());
        }
    }

    @Test
    void pipelinedRequestsGetTheirAnswersInOrder() throws Exception {
        try (PolicyService service = start(settings(), PolicyEngine.NONE); Client client = new Client(service.port())) {
            StringBuilder batch = new StringBuilder();
            for (int i = 1; i <= 50; i++) {
                batch.append(rcpt("192.0.2." + i, ""));
            }
            client.send(batch.toString());
            for (int i = 1; i <= 50; i++) {
                assertThat(client.answer()).isEqualTo("DUNNO");
            }
            assertThat(recorded).extracting(c -> c.client().getHostAddress()).startsWith("192.0.2.1", "192.0.2.2")
                    .hasSize(50).endsWith("192.0.2.50");
        }
    }

    @Test
    void aMalformedRequestClosesOnlyItsConnection() throws Exception {
        try (PolicyService service = start(settings(), PolicyEngine.NONE);
                Client good = new Client(service.port());
                Client bad = new Client(service.port())) {
            bad.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(bad.answer()).isNull();
            good.send(rcpt("192.0.2.1", ""));
            assertThat(good.answer()).isEqualTo("DUNNO");
            assertThat(service.malformedRequests()).isEqualTo(1);
            try (Client again = new Client(service.port())) {
                again.send(rcpt("192.0.2.2", ""));
                assertThat(again.answer()).isEqualTo("DUNNO");
            }
        }
    }

    @Test
    void aLineOverTheLimitClosesTheConnection() throws Exception {
        try (PolicyService service = start(settings(), PolicyEngine.NONE); Client client = new Client(service.port())) {
            client.send("request=" + "x".repeat(PolicyServiceSettings.DEFAULT_MAX_LINE_LENGTH + 10) + "\n\n");
            assertThat(client.answer()).isNull();
            assertThat(service.malformedRequests()).isEqualTo(1);
        }
    }

    @Test
    void anIdleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        PolicyServiceSettings settings = settings().withLimits(256, 16, Duration.ofMillis(200), 10);
        try (PolicyService service = start(settings, PolicyEngine.NONE); Client client = new Client(service.port())) {
            long start = System.nanoTime();
            assertThat(client.answer()).isNull();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        }
    }

    @Test
    void connectionsOverTheLimitAreClosedAtOnce() throws Exception {
        PolicyServiceSettings settings = settings().withLimits(256, 16, Duration.ofSeconds(30), 2);
        try (PolicyService service = start(settings, PolicyEngine.NONE);
                Client first = new Client(service.port());
                Client second = new Client(service.port())) {
            first.send(rcpt("192.0.2.1", ""));
            second.send(rcpt("192.0.2.2", ""));
            assertThat(first.answer()).isEqualTo("DUNNO");
            assertThat(second.answer()).isEqualTo("DUNNO");
            try (Client third = new Client(service.port())) {
                assertThat(third.answer()).isNull();
            }
            assertThat(service.connectionsTurnedAway()).isEqualTo(1);
        }
    }

    @Test
    void manyConnectionsAtOnceAreAllAnswered() throws Exception {
        int connections = 200;
        try (PolicyService service = start(settings(), PolicyEngine.NONE)) {
            List<Client> clients = new ArrayList<>();
            try {
                for (int i = 0; i < connections; i++) {
                    clients.add(new Client(service.port()));
                }
                CountDownLatch done = new CountDownLatch(connections);
                ConcurrentLinkedQueue<String> answers = new ConcurrentLinkedQueue<>();
                for (int i = 0; i < connections; i++) {
                    Client client = clients.get(i);
                    String address = "10.0." + (i / 250) + "." + (i % 250 + 1);
                    Thread.ofVirtual().start(() -> {
                        try {
                            for (int r = 0; r < 20; r++) {
                                client.send(rcpt(address, ""));
                                answers.add(client.answer());
                            }
                        } catch (IOException e) {
                            answers.add(e.toString());
                        } finally {
                            done.countDown();
                        }
                    });
                }
                assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
                assertThat(answers).hasSize(connections * 20).containsOnly("DUNNO");
                assertThat(service.contacts()).isEqualTo(connections * 20L);
            } finally {
                for (Client client : clients) {
                    client.close();
                }
            }
        }
    }

    @Test
    void enforcedBlocksBecomePostfixActions() throws Exception {
        Reply tempfail = Reply.of(451, "4.7.1", "Relaying Denied: 192.0.2.0/24 skips mx1.example.org");
        PolicyEngine policy = query -> switch (query.clientAddress().getHostAddress()) {
            case "192.0.2.1" -> query.stage() == Stage.RCPT
                    ? new Decision.Tempfail(tempfail, null, Reason.of("block"), false) : Decision.CONTINUE;
            case "192.0.2.2" -> new Decision.Reject(Reply.of(550, "5.7.1", "Access denied"), null, "r", false);
            case "192.0.2.3" -> new Decision.Tempfail(tempfail, null, "dry", true);
            case "192.0.2.4" -> new Decision.Accept(null);
            default -> Decision.CONTINUE;
        };
        try (PolicyService service = start(settings().withEnforceBlocks(true), policy);
                Client client = new Client(service.port())) {
            client.send(rcpt("192.0.2.1", ""));
            assertThat(client.answer()).isEqualTo("DEFER_IF_PERMIT Relaying Denied: 192.0.2.0/24 skips mx1.example.org");
            client.send(rcpt("192.0.2.2", ""));
            assertThat(client.answer()).isEqualTo("REJECT Access denied");
            client.send(rcpt("192.0.2.3", ""));
            assertThat(client.answer()).isEqualTo("WARN Relaying Denied: 192.0.2.0/24 skips mx1.example.org");
            client.send(rcpt("192.0.2.4", ""));
            assertThat(client.answer()).as("an accept must never become OK: that could open the primary as a relay")
                    .isEqualTo("DUNNO");
            client.send(rcpt("192.0.2.5", ""));
            assertThat(client.answer()).isEqualTo("DUNNO");
            assertThat(service.refusals()).isEqualTo(2);
            // A refused client is no contact: recording it would lift the block that refused it.
            assertThat(recorded).extracting(c -> c.client().getHostAddress())
                    .containsExactly("192.0.2.3", "192.0.2.4", "192.0.2.5");
        }
    }

    @Test
    void withoutEnforcementThePolicyIsNeverAsked() throws Exception {
        PolicyEngine refuseAll = query -> {
            throw new AssertionError("asked");
        };
        try (PolicyService service = start(settings(), refuseAll); Client client = new Client(service.port())) {
            client.send(rcpt("192.0.2.1", ""));
            assertThat(client.answer()).isEqualTo("DUNNO");
        }
    }

    @Test
    void aFailingRecorderOrPolicyStillAnswersDunno() throws Exception {
        PolicyEngine broken = query -> {
            throw new IllegalStateException("rule set unavailable");
        };
        PolicyService service = new PolicyService(settings().withEnforceBlocks(true), contact -> {
            throw new IllegalStateException("store full");
        }, broken, CLOCK);
        service.start();
        try (service; Client client = new Client(service.port())) {
            client.send(rcpt("192.0.2.1", ""));
            assertThat(client.answer()).isEqualTo("DUNNO");
            client.send("request=something_else\n\n");
            assertThat(client.answer()).isEqualTo("DUNNO");
        }
    }
}
