package org.mxguard.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Postfix's load generator smtp-source, many sessions in parallel: every message is queued, none lost. */
@Tag("peer")
class SmtpSourceLoadIT {

    private static final Path SMTP_SOURCE = Path.of("/usr/sbin/smtp-source");

    @Test
    void twentyParallelSessionsDeliverFiveHundredMessages() throws Exception {
        assumeTrue(Files.isExecutable(SMTP_SOURCE), "postfix (smtp-source) is not installed");
        try (TestServer server = TestServer.start()) {
            long start = System.nanoTime();
            PeerProcess source = PeerProcess.run(List.of(SMTP_SOURCE.toString(), "-s", "20", "-m", "500", "-l", "2000",
                    "-d", "-f", "load@client.example", "-t", "user@example.org", "-M", "client.example",
                    "127.0.0.1:" + server.port()));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(source.exitCode()).as(source.output()).isZero();
            assertThat(server.spool.messages()).hasSize(500);
            System.out.printf("smtp-source: 500 messages of 2000 octets in 20 parallel sessions: %d ms%n", millis);
        }
    }
}
