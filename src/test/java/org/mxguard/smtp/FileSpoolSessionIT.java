package org.mxguard.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.policy.PolicyEngine;
import org.mxguard.spool.FileSpool;
import org.mxguard.spool.SpoolSettings;

/** Sessions writing to a real file spool. */
class FileSpoolSessionIT {

    @TempDir
    Path dir;

    /** Below its free-space minimum: DATA is refused at once with 452 4.3.1. */
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

    /** A line of 50,000 octets (HTML mail) is queued whole, byte for byte, in bounded memory. */
    @Test
    void aLongLineIsStoredAsReceived() throws Exception {
        FileSpool spool = FileSpool.open(SpoolSettings.defaults(dir).withMinFreeBytes(0), TestServer.CLOCK);
        String line = "<td>" + "0123456789".repeat(5000) + "</td>";
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
                        >354
                        """);
                client.send("Subject: long\r\n\r\n" + line + "\r\n.\r\n");
                client.expect("250 2.0.0 Ok: queued as");
            }
        }
        assertThat(spool.list()).hasSize(1);
        try (InputStream content = spool.openContent(spool.list().getFirst())) {
            assertThat(new String(content.readAllBytes(), StandardCharsets.US_ASCII))
                    .endsWith("\r\nSubject: long\r\n\r\n" + line + "\r\n");
        }
    }
}
