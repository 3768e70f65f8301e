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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.config.ConfigLoader;

/** {@code mxguard serve} with a {@code policy-service} section: the primary's Postfix has someone to ask. */
class PolicyServiceServeIT {

    @TempDir
    Path dir;

    private Server start(boolean enforce) throws Exception {
        Path rules = dir.resolve("access.rules");
        Files.writeString(rules, """
                tempfail client 192.0.2.0/24 because "skips the primary"
                """);
        Path config = dir.resolve("mxguard.yaml");
        Files.writeString(config, """
                hostname: backup.test
                protected-domains: [protected.test]
                smtp:
                  listen: [ "127.0.0.1:0" ]
                spool:
                  directory: %s
                  min-free-space: 0
                log:
                  file: %s
                dns:
                  client-name-lookup: false
                policy:
                  rules: %s
                policy-service:
                  listen: 127.0.0.1:0
                  enforce-blocks: %s
                """.formatted(dir.resolve("spool"), dir.resolve("mail.log"), rules, enforce));
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
    void answersDunnoAndCountsTheContacts() throws Exception {
        try (Server server = start(false)) {
            assertThat(ask(server.policyServicePort(), "192.0.2.9")).isEqualTo("action=DUNNO");
            assertThat(ask(server.policyServicePort(), "198.51.100.9")).isEqualTo("action=DUNNO");
            assertThat(server.primaryContacts()).isEqualTo(2);
        }
    }

    @Test
    void enforcingTheRulesDefersTheBlockedNetworkAtThePrimary() throws Exception {
        try (Server server = start(true)) {
            assertThat(ask(server.policyServicePort(), "192.0.2.9")).isEqualTo("action=DEFER_IF_PERMIT Relaying Denied");
            assertThat(ask(server.policyServicePort(), "198.51.100.9")).isEqualTo("action=DUNNO");
        }
    }
}
