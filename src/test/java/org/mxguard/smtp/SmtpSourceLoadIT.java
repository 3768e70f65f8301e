package org.mxguard.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.mxguard.peer.Peer;

/** Postfix's load generator smtp-source, many sessions in parallel: every message is queued, none lost. */
@Tag("peer")
class SmtpSourceLoadIT {

    @Test
    void twentyParallelSessionsDeliverFiveHundredMessages() throws Exception {
        try (TestServer server = TestServer.start()) {
            long start = System.nanoTime();
            PeerProcess source = PeerProcess.run(List.of(Peer.require("smtp-source"), "-s", "20", "-m", "500", "-l", "2000",
                    "-d", "-f", "load@client.example", "-t", "user@example.org", "-M", "client.example",
                    "127.0.0.1:" + server.port()));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(source.exitCode()).as(source.output()).isZero();
            assertThat(server.spool.messages()).hasSize(500);
            System.out.printf("smtp-source: 500 messages of 2000 octets in 20 parallel sessions: %d ms%n", millis);
        }
    }
}
