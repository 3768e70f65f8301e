package org.mxguard.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.dns.ClientNameLookup;
import org.mxguard.policy.PolicyEngine;
import org.mxguard.spool.MemorySpool;

class StartTlsIT {

    @TempDir
    static Path directory;
    static TestCertificate certificate;

    @BeforeAll
    static void makeCertificate() throws Exception {
        certificate = TestCertificate.create(directory, "mx2.example.org");
    }

    private static TestServer tlsServer() throws Exception {
        return TestServer.start(s -> s.withTls(certificate.certificate(), certificate.key()), PolicyEngine.NONE);
    }

    @Test
    void startTlsUpgradesTheSessionWhichStartsAfresh() throws Exception {
        try (TestServer server = tlsServer(); SmtpTestClient client = server.connect()) {
            client.converse("""
                    >220
                    EHLO client.example\r
                    >250-STARTTLS
                    MAIL FROM:<x@client.example>\r
                    >250
                    STARTTLS\r
                    >503 5.5.1 Error: MAIL transaction in progress
                    RSET\r
                    >250
                    STARTTLS\r
                    >220 2.0.0 Ready to start TLS
                    """);
            client.startTls();
            client.converse("""
                    MAIL FROM:<x@client.example>\r
                    >503 5.5.1 Error: send HELO/EHLO first
                    EHLO client.example\r
                    >250 SMTPUTF8
                    STARTTLS\r
                    >503 5.5.1 Error: TLS already active
                    MAIL FROM:<x@client.example>\r
                    >250
                    RCPT TO:<a@example.org>\r
                    >250
                    DATA\r
                    >354
                    \r
                    .\r
                    >250
                    QUIT\r
                    >221
                    """);
            String content = server.spool.content(server.spool.messages().getFirst().id());
            assertThat(content).containsPattern("\r\n\t\\(using TLSv1\\.[23] with cipher \\S+\\)\r\n")
                    .contains("(mxguard) with ESMTPS id");
            assertThat(server.spool.messages().getFirst().envelope().client().tls()).startsWith("TLSv1.");
            assertThat(server.awaitLog("TLS connection established")).contains(
                    "Anonymous TLS connection established from client.example[127.0.0.1]: TLSv1.");
            assertThat(server.awaitLog("disconnect from")).endsWith(
                    "ehlo=2 starttls=1/3 mail=2/3 rcpt=1 data=1 rset=1 quit=1 commands=9/12");
        }
    }

    @Test
    void ehloAfterTlsNoLongerOffersStartTls() throws Exception {
        try (TestServer server = tlsServer(); SmtpTestClient client = server.connect()) {
            client.converse("""
                    >220
                    EHLO client.example\r
                    >250
                    STARTTLS\r
                    >220
                    """);
            client.startTls();
            client.send("EHLO client.example\r\n");
            assertThat(client.reply()).doesNotContain("STARTTLS");
        }
    }

    @Test
    void plaintextPipelinedAfterStartTlsIsDiscarded() throws Exception {
        try (TestServer server = tlsServer(); SmtpTestClient client = server.connect()) {
            client.converse("""
                    >220
                    EHLO client.example\r
                    >250
                    """);
            // CVE-2011-0411: a man in the middle appends commands to the plaintext STARTTLS
            client.send("STARTTLS\r\nMAIL FROM:<injected@evil.example>\r\nRCPT TO:<a@example.org>\r\n");
            client.expect("220 2.0.0 Ready to start TLS");
            client.startTls();
            client.send("EHLO client.example\r\n");
            assertThat(client.reply()).startsWith("250-mx2.example.org");
            client.converse("""
                    RCPT TO:<a@example.org>\r
                    >503 5.5.1 Error: need MAIL command
                    QUIT\r
                    >221
                    """);
            assertThat(server.awaitLog("disconnect from")).endsWith("ehlo=2 starttls=1 rcpt=0/1 quit=1 commands=4/5");
        }
    }

    @Test
    void aFailedHandshakeIsLoggedAndClosesTheConnection() throws Exception {
        try (TestServer server = tlsServer(); SmtpTestClient client = server.connect()) {
            client.converse("""
                    >220
                    EHLO client.example\r
                    >250
                    STARTTLS\r
                    >220
                    this is not a TLS client hello\r
                    """);
            assertThat(client.closedByServer()).isTrue();
            assertThat(server.awaitLog("SSL_accept error")).contains("SSL_accept error from client.example[127.0.0.1]: ");
            assertThat(server.awaitLog("lost connection")).endsWith(
                    "lost connection after STARTTLS from client.example[127.0.0.1]");
        }
    }

    @Test
    void unusableTlsFilesAreRefusedAtConstructionNamingTheSetting() throws Exception {
        Path notPem = Files.writeString(directory.resolve("not.pem"), "hello");
        SmtpSettings badCertificate = TestServer.settings().withTls(notPem, certificate.key());
        assertThatThrownBy(() -> new SmtpServer(badCertificate, new MemorySpool(), PolicyEngine.NONE,
                ClientNameLookup.NONE, List.of(), Clock.systemUTC())).hasMessageContaining("tlsCertificate");
        SmtpSettings badKey = TestServer.settings().withTls(certificate.certificate(), notPem);
        assertThatThrownBy(() -> new SmtpServer(badKey, new MemorySpool(), PolicyEngine.NONE,
                ClientNameLookup.NONE, List.of(), Clock.systemUTC())).hasMessageContaining("tlsKey")
                .hasMessageContaining("openssl pkcs8 -topk8");
    }
}
