package org.mxguard.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.mail.MailAddress;
import org.mxguard.peer.Peer;
import org.mxguard.policy.PolicyEngine;

/** Real clients against the server: Python's smtplib and swaks, in the clear and with STARTTLS. */
@Tag("peer")
class InteropIT {

    @TempDir
    static Path directory;
    static TestCertificate certificate;

    @BeforeAll
    static void makeCertificate() throws Exception {
        certificate = TestCertificate.create(directory, "mx2.example.org");
    }

    private static TestServer start() throws Exception {
        return TestServer.start(s -> s.withTls(certificate.certificate(), certificate.key()), PolicyEngine.NONE);
    }

    private static final String PYTHON = """
            import smtplib, ssl, sys
            from email.message import EmailMessage
            port = int(sys.argv[1])
            msg = EmailMessage()
            msg["From"] = "py@client.example"
            msg["To"] = "user@example.org"
            msg["Subject"] = "from smtplib"
            msg["Message-ID"] = "<smtplib-1@client.example>"
            msg.set_content("Hello.\\n.dot line\\n" + "long line " * 50 + "\\n")
            with smtplib.SMTP("127.0.0.1", port, local_hostname="client.example", timeout=10) as s:
                s.ehlo()
                print("features", sorted(s.esmtp_features))
                s.starttls(context=ssl._create_unverified_context())
                s.ehlo()
                refused = s.send_message(msg, to_addrs=["user@example.org", "other@elsewhere.example"])
                print("refused", refused)
                utf = EmailMessage()
                utf["From"] = "jürgen@client.example"
                utf["To"] = "ärger@bücher.example"
                utf["Subject"] = "utf8"
                utf.set_content("Grüße\\n")
                s.send_message(utf, mail_options=["SMTPUTF8"])
                print("utf8 sent")
            """;

    @Test
    void pythonSmtplibSendsWithStartTlsAndSmtpUtf8() throws Exception {
        try (TestServer server = start()) {
            PeerProcess python = PeerProcess.run(List.of(Peer.require("python3"), "-c", PYTHON, Integer.toString(server.port())));
            assertThat(python.exitCode()).as(python.output()).isZero();
            assertThat(python.output())
                    .contains("'starttls'", "'pipelining'", "'size'", "'smtputf8'", "'8bitmime'", "'enhancedstatuscodes'")
                    .contains("refused {'other@elsewhere.example': (550, b'5.7.1 <other@elsewhere.example>: "
                            + "Relay access denied')}")
                    .contains("utf8 sent");
            assertThat(server.spool.messages()).hasSize(2);
            String first = server.spool.content(server.spool.messages().getFirst().id());
            assertThat(first).contains("with ESMTPS id").contains("\r\n.dot line\r\n").contains("Hello.\r\n");
            assertThat(server.spool.messages().get(1).envelope().recipients())
                    .containsExactly(new MailAddress("ärger", org.mxguard.mail.Domain.parse("bücher.example")));
            assertThat(server.awaitLog("message-id=")).endsWith("message-id=<smtplib-1@client.example>");
        }
    }

    @Test
    void swaksSendsInTheClearAndIsRefusedForOtherDomains() throws Exception {
        try (TestServer server = start()) {
            PeerProcess sent = swaks(server, "user@example.org");
            assertThat(sent.exitCode()).as(sent.output()).isZero();
            assertThat(sent.output()).contains("<-  250 2.0.0 Ok: queued as ");
            PeerProcess refused = swaks(server, "user@elsewhere.example");
            // swaks exit code 24: the server refused every recipient
            assertThat(refused.exitCode()).as(refused.output()).isEqualTo(24);
            assertThat(refused.output()).contains("<** 550 5.7.1 <user@elsewhere.example>: Relay access denied");
            assertThat(server.spool.messages()).hasSize(1);
        }
    }

    @Test
    void swaksSendsWithStartTls() throws Exception {
        // swaks needs Net::SSLeay (Debian libnet-ssleay-perl, a Recommends of swaks) for --tls
        Peer.requirePerlModule("Net::SSLeay", "libnet-ssleay-perl");
        try (TestServer server = start()) {
            PeerProcess sent = swaks(server, "user@example.org", "--tls");
            assertThat(sent.exitCode()).as(sent.output()).isZero();
            assertThat(sent.output()).contains("<-  220 2.0.0 Ready to start TLS")
                    .contains("=== TLS started with cipher TLSv1.")
                    .contains("<~  250 2.0.0 Ok: queued as ");
            String content = server.spool.content(server.spool.messages().getFirst().id());
            assertThat(content).contains("with ESMTPS id").contains("(using TLSv1.");
        }
    }

    private static PeerProcess swaks(TestServer server, String to, String... extra) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(Peer.require("swaks"), "--server", "127.0.0.1",
                "--port", Integer.toString(server.port()), "--helo", "client.example",
                "--from", "swaks@client.example", "--to", to, "--timeout", "10"));
        command.addAll(List.of(extra));
        return PeerProcess.run(command);
    }
}
