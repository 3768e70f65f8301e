package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.config.ConfigLoader;
import org.mxguard.evidence.PrimaryContact;

/**
 * {@code mxguard serve} with a {@code policy-service} section: the primary's Postfix has someone to
 * ask, its clients go into the evidence store, and with {@code enforce-blocks} the rules file and the
 * blocks (never the MX-skip rule) are answered to the primary.
 */
class PolicyServiceServeIT {

    @TempDir
    Path dir;

    private Server start(boolean enforce) throws Exception {
        Path rules = dir.resolve("access.rules");
        Files.writeString(rules, """
                tempfail client 203.0.113.0/24 because "the backup's own rule"
                """);
        Path config = ServeConfig.in(dir).rules(rules).mxSkip("observe").policyService(0)
                .set("policy-service.primary", "mx1.protected.test")
                .set("policy-service.enforce-blocks", String.valueOf(enforce)).write();
        Server server = new Server(ConfigLoader.load(config), Clock.systemUTC());
        server.start();
        return server;
    }

    private static String ask(int port, String client) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=" + client
                    + "\nclient_name=unknown\nhelo_name=h.example\nsender=\nrecipient=user@protected.test\n\n")
                    .getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            return in.readLine();
        }
    }

    @Test
    void answersDunnoAndRecordsTheContactsInTheEvidenceStore() throws Exception {
        try (Server server = start(false)) {
            assertThat(ask(server.policyServicePort(), "192.0.2.9")).isEqualTo("action=DUNNO");
            assertThat(ask(server.policyServicePort(), "198.51.100.9")).isEqualTo("action=DUNNO");
            assertThat(server.primaryContacts()).isEqualTo(2);
            PrimaryContact contact = server.evidenceStore().lastContact(InetAddress.ofLiteral("192.0.2.9"));
            assertThat(contact).isNotNull();
            assertThat(contact.primary()).isEqualTo("mx1.protected.test");
            assertThat(contact.nullSender()).isTrue();
            assertThat(contact.source()).isEqualTo(PrimaryContact.Source.POLICY_SERVICE);
        }
    }

    @Test
    void enforcingDefersABlockedNetworkAtThePrimaryButNeverAppliesTheMxSkipRule() throws Exception {
        try (Server server = start(true)) {
            server.mxSkip().commands().add(List.of("192.0.2.0/24", "never", "spamware"));
            assertThat(ask(server.policyServicePort(), "192.0.2.9")).startsWith("action=DEFER_IF_PERMIT ");
            assertThat(ask(server.policyServicePort(), "198.51.100.9")).isEqualTo("action=DUNNO");
            assertThat(ask(server.policyServicePort(), "203.0.113.9")).startsWith("action=DEFER_IF_PERMIT ");
            // Never seen at a primary, but at the primary now: the MX-skip rule has nothing to say there.
            assertThat(ask(server.policyServicePort(), "198.51.100.10")).isEqualTo("action=DUNNO");
            assertThat(server.evidenceStore().lastContact(InetAddress.ofLiteral("192.0.2.9"))).isNull();
            assertThat(server.evidenceStore().lastContact(InetAddress.ofLiteral("198.51.100.9"))).isNotNull();
        }
    }
}
