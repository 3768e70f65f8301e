package org.mxguard.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.mxguard.peer.Peer;
import org.mxguard.policy.Decision;
import org.mxguard.policy.RuleRef;

/** nmap's smtp-open-relay script (its 16 classic tricks) against the server, with an accept-all policy. */
@Tag("peer")
class NmapOpenRelayIT {

    @Test
    void nmapFindsNoOpenRelay() throws Exception {
        try (TestServer server = TestServer.start(s -> s.withProtectedDomains(List.of("example.org", "[127.0.0.1]")),
                query -> new Decision.Accept(new RuleRef("accept-all.rules", 1)))) {
            PeerProcess nmap = PeerProcess.run(List.of(Peer.require("nmap"), "-Pn", "-n", "-sT", "-p", Integer.toString(server.port()),
                    "--script", "+smtp-open-relay", "127.0.0.1"));
            assertThat(nmap.exitCode()).as(nmap.output()).isZero();
            assertThat(nmap.output()).as(nmap.output())
                    .contains(server.port() + "/tcp open")
                    .contains("|_smtp-open-relay: Server doesn't seem to be an open relay, all tests failed");
            // 16 RCPT commands, none accepted: 13 relay refusals and 3 addresses that are not even syntax
            server.events.await(SessionEvent.Disconnected.class, e -> e.counts().stream()
                    .anyMatch(c -> c.equals(new CommandCount("rcpt", 0, 16))));
            assertThat(server.events.events()).filteredOn(SessionEvent.Rejected.class::isInstance).hasSize(13)
                    .allMatch(e -> ((SessionEvent.Rejected) e).reply().toString().endsWith("Relay access denied"));
            assertThat(server.spool.messages()).isEmpty();
        }
    }
}
