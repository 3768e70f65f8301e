package org.mxguard.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.dns.DnsClient;
import org.mxguard.dns.DnsClientNameLookup;
import org.mxguard.dns.Dnsmasq;
import org.mxguard.policy.PolicyEngine;

/**
 * The client's name comes from its reverse DNS, which the client's owner writes. A real dnsmasq
 * serves a forward-confirmed PTR that embeds another address in brackets: the log must show
 * "unknown" and the real address, never the forged one (Postfix's valid_hostname).
 */
class ClientNameIT {

    private static final String FORGED = "adsl-203-0-113-9.dynamic.isp.example[198.51.100.25].evil.example";

    @TempDir
    Path dir;

    @Test
    void aForwardConfirmedNameThatIsNoHostNameIsLoggedAsUnknown() throws Exception {
        try (Dnsmasq dnsmasq = Dnsmasq.start(dir, List.of(
                "ptr-record=2.0.0.127.in-addr.arpa," + FORGED,
                "host-record=" + FORGED + ",127.0.0.2",
                "ptr-record=3.0.0.127.in-addr.arpa,good.ptr.test",
                "host-record=good.ptr.test,127.0.0.3"));
                TestServer server = TestServer.start(TestServer.settings(), PolicyEngine.NONE,
                        new DnsClientNameLookup(new DnsClient(dnsmasq.settings()), Duration.ofSeconds(5)))) {
            try (SmtpTestClient forged = SmtpTestClient.connect(server.port(), "127.0.0.2")) {
                forged.expect("220");
            }
            try (SmtpTestClient good = SmtpTestClient.connect(server.port(), "127.0.0.3")) {
                good.expect("220");
            }
            assertThat(server.awaitLog("connect from unknown[127.0.0.2]")).endsWith("connect from unknown[127.0.0.2]");
            // the same lookup does find a proper name, so "unknown" above is the check, not a broken DNS
            assertThat(server.awaitLog("connect from good.ptr.test[127.0.0.3]")).isNotNull();
            assertThat(String.join("\n", server.logLines())).doesNotContain("198.51.100.25");
        }
    }
}
