package org.mxguard.policyservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.evidence.PrimaryContact;
import org.mxguard.mail.Reply;
import org.mxguard.policy.Decision;
import org.mxguard.policy.PolicyEngine;
import org.mxguard.testing.PeerProgram;
import org.mxguard.testing.PostfixInstance;

/**
 * A real Postfix as the primary MX, asking mxguard's policy service as docs/policy-service.md says;
 * swaks sends from several loopback addresses, as different clients would.
 */
@Tag("peer")
class PrimaryPostfixIT {

    /** The restriction docs/policy-service.md gives, with the service's port. */
    static String restriction(int port) {
        return "check_policy_service { inet:127.0.0.1:" + port + ", timeout=5s, try_limit=1, default_action=DUNNO }, "
                + "permit_mynetworks, reject_unauth_destination";
    }

    @TempDir
    Path dir;

    private final ConcurrentLinkedQueue<PrimaryContact> recorded = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void peers() {
        assumeTrue(PostfixInstance.available(), "postfix is not installed or this is not root");
        assumeTrue(PeerProgram.available("swaks", "--version"), "swaks is not installed");
    }

    private PolicyService service(boolean enforce, PolicyEngine policy) throws IOException {
        PolicyServiceSettings settings = PolicyServiceSettings
                .listeningOn(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .withPrimary("mx1.example.org").withEnforceBlocks(enforce);
        PolicyService service = new PolicyService(settings, recorded::add, policy, Clock.systemUTC());
        service.start();
        return service;
    }

    private PostfixInstance primary(String restrictions) throws Exception {
        return PostfixInstance.in(dir.resolve("primary")).relayDomains("example.org")
                .set("smtpd_recipient_restrictions", restrictions).start();
    }

    /** swaks from {@code client} (a loopback address) with this EHLO and sender; its whole transcript. */
    static PeerProgram swaks(PostfixInstance primary, String client, String helo, String sender) throws Exception {
        return PeerProgram.run(List.of("swaks", "--server", "127.0.0.1:" + primary.port(), "--local-interface", client,
                "--ehlo", helo, "--from", sender, "--to", "user@example.org", "--timeout", "60",
                "--header", "Subject: policy service test"), Duration.ofSeconds(90));
    }

    @Test
    void thePrimaryReportsEveryClientThatSendsItMail() throws Exception {
        try (PolicyService service = service(false, PolicyEngine.NONE);
                PostfixInstance primary = primary(restriction(service.port()))) {
            PeerProgram bounce = swaks(primary, "127.0.0.2", "isp-mx.client.test", "<>");
            PeerProgram mail = swaks(primary, "127.0.0.3", "mta.client.test", "alice@client.test");
            assertThat(bounce.output()).as(bounce.toString()).contains("<-  250 2.0.0 Ok: queued as");
            assertThat(mail.output()).as(mail.toString()).contains("<-  250 2.0.0 Ok: queued as");

            assertThat(recorded).extracting(c -> c.client().getHostAddress(), PrimaryContact::helo,
                    PrimaryContact::nullSender, PrimaryContact::primary, PrimaryContact::source)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("127.0.0.2", "isp-mx.client.test", true,
                                    "mx1.example.org", PrimaryContact.Source.POLICY_SERVICE),
                            org.assertj.core.groups.Tuple.tuple("127.0.0.3", "mta.client.test", false,
                                    "mx1.example.org", PrimaryContact.Source.POLICY_SERVICE));
            // The name recorded is the one the primary logs for the client (verified, or "unknown").
            // Postfix writes its log behind the session (postlogd): wait for both lines.
            Pattern connect = Pattern.compile("\\]: connect from (\\S+\\[127\\.0\\.0\\.[23]\\])");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            List<String> logged = primary.logMatches(connect);
            while (logged.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
                logged = primary.logMatches(connect);
            }
            assertThat(recorded).extracting(c -> c.clientName() + "[" + c.client().getHostAddress() + "]")
                    .containsExactlyElementsOf(logged);
        }
    }

    @Test
    void aDeadServiceNeverBlocksThePrimaryConfiguredAsDocumented() throws Exception {
        int nobody = PostfixInstance.freePort();
        try (PostfixInstance primary = primary(restriction(nobody))) {
            PeerProgram mail = swaks(primary, "127.0.0.2", "mta.client.test", "alice@client.test");
            assertThat(mail.output()).as(mail.toString()).contains("<-  250 2.0.0 Ok: queued as");
            primary.awaitLog(line -> line.contains("warning: connect to 127.0.0.1:" + nobody),
                    Duration.ofSeconds(10));
        }
    }

    @Test
    void withoutDefaultActionDunnoADeadServiceRefusesMailAtThePrimary() throws Exception {
        int nobody = PostfixInstance.freePort();
        // Postfix's own default: smtpd_policy_service_default_action = 451 4.3.5 Server configuration problem.
        try (PostfixInstance primary = primary("check_policy_service inet:127.0.0.1:" + nobody
                + ", permit_mynetworks, reject_unauth_destination")) {
            PeerProgram mail = swaks(primary, "127.0.0.2", "mta.client.test", "alice@client.test");
            assertThat(mail.output()).as(mail.toString()).contains("<** 451 4.3.5 <user@example.org>: Recipient address rejected: Server configuration problem")
                    .doesNotContain("queued as");
        }
    }

    @Test
    void aHungServiceDelaysThePrimaryOnlyByTheTimeout() throws Exception {
        // Accepts connections and never answers: what a stuck process looks like to Postfix.
        try (ServerSocket hung = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new ArrayList<>();
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(hung.accept());
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            String restriction = "check_policy_service { inet:127.0.0.1:" + hung.getLocalPort()
                    + ", timeout=2s, try_limit=1, default_action=DUNNO }, permit_mynetworks, reject_unauth_destination";
            try (PostfixInstance primary = primary(restriction)) {
                long start = System.nanoTime();
                PeerProgram mail = swaks(primary, "127.0.0.2", "mta.client.test", "alice@client.test");
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertThat(mail.output()).as(mail.toString()).contains("<-  250 2.0.0 Ok: queued as");
                assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(2)).isLessThan(Duration.ofSeconds(30));
                primary.awaitLog(line -> line.contains("warning: problem talking to server 127.0.0.1:" + hung.getLocalPort()
                        + ": Connection timed out"),
                        Duration.ofSeconds(10));
            }
        }
    }

    @Test
    void mxguardStoppingWhilePostfixHoldsItsConnectionDoesNotBlockThePrimary() throws Exception {
        PolicyService service = service(false, PolicyEngine.NONE);
        int port = service.port();
        try (PostfixInstance primary = primary(restriction(port))) {
            PeerProgram first = swaks(primary, "127.0.0.2", "mta.client.test", "alice@client.test");
            assertThat(first.output()).as(first.toString()).contains("queued as");
            assertThat(recorded).hasSize(1);
            service.close();
            PeerProgram second = swaks(primary, "127.0.0.3", "mta.client.test", "bob@client.test");
            assertThat(second.output()).as(second.toString()).contains("<-  250 2.0.0 Ok: queued as");
            assertThat(recorded).hasSize(1);
        } finally {
            service.close();
        }
    }

    @Test
    void enforcingBlocksDefersABlockedClientAtThePrimary() throws Exception {
        Reply block = Reply.of(451, "4.7.1", "Relaying Denied: 127.0.0.4 is blocked (skips mx1.example.org)");
        PolicyEngine policy = query -> query.clientAddress().getHostAddress().equals("127.0.0.4")
                ? new Decision.Tempfail(block, null, "automatic block", false) : Decision.CONTINUE;
        try (PolicyService service = service(true, policy);
                PostfixInstance primary = primary(restriction(service.port()))) {
            PeerProgram blocked = swaks(primary, "127.0.0.4", "spam.client.test", "<>");
            PeerProgram other = swaks(primary, "127.0.0.5", "mta.client.test", "alice@client.test");
            assertThat(blocked.output()).as(blocked.toString())
                    .contains("<** 450 4.7.1 <user@example.org>: Recipient address rejected: Relaying Denied: "
                            + "127.0.0.4 is blocked (skips mx1.example.org)")
                    .doesNotContain("queued as");
            assertThat(other.output()).as(other.toString()).contains("<-  250 2.0.0 Ok: queued as");
            primary.awaitLog(line -> line.contains("NOQUEUE: reject: RCPT from") && line.contains("127.0.0.4"),
                    Duration.ofSeconds(10));
            assertThat(service.refusals()).isEqualTo(1);
            // The refused client is no contact: recording it would lift the block that refused it.
            assertThat(recorded).extracting(c -> c.client().getHostAddress()).containsExactly("127.0.0.5");
        }
    }

    @Test
    void aReloadedPrimaryStillReports() throws Exception {
        try (PolicyService service = service(false, PolicyEngine.NONE);
                PostfixInstance primary = primary("permit_mynetworks, reject_unauth_destination")) {
            swaks(primary, "127.0.0.2", "mta.client.test", "alice@client.test");
            assertThat(recorded).isEmpty();
            primary.reconfigure(Map.of("smtpd_recipient_restrictions", restriction(service.port())));
            PeerProgram mail = swaks(primary, "127.0.0.3", "mta.client.test", "alice@client.test");
            assertThat(mail.output()).as(mail.toString()).contains("queued as");
            assertThat(recorded).extracting(c -> c.client().getHostAddress()).containsExactly("127.0.0.3");
        }
    }
}
