package org.mxguard.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.policy.PolicyEngine;
import org.mxguard.spool.FileSpool;
import org.mxguard.spool.SpoolSettings;

/** A real file spool below its free-space minimum: DATA is refused at once with 452 4.3.1. */
class SpoolFullIT {

    @TempDir
    Path dir;

    @Test
    void dataOnAFullSpoolGets452Insufficient() throws Exception {
        FileSpool spool = FileSpool.open(SpoolSettings.defaults(dir).withMinFreeBytes(Long.MAX_VALUE), TestServer.CLOCK);
        try (SmtpServer server = new SmtpServer(TestServer.settings(), spool, PolicyEngine.NONE,
                address -> "client.example", List.of(), TestServer.CLOCK)) {
            server.start();
            try (SmtpTestClient client = SmtpTestClient.connect(server.port())) {
                client.converse("""
                        >220
                        EHLO client.example\r
                        >250
                        MAIL FROM:<x@client.example>\r
                        >250
                        RCPT TO:<a@example.org>\r
                        >250
                        DATA\r
                        >452 4.3.1 Insufficient system storage
                        QUIT\r
                        >221
                        """);
            }
        }
        assertThat(spool.list()).isEmpty();
    }
}
