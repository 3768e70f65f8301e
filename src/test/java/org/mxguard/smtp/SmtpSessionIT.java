package org.mxguard.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mxguard.mail.MailAddress;
import org.mxguard.policy.PolicyEngine;
import org.mxguard.spool.QueuedMessage;
import org.mxguard.spool.SpoolFullException;

class SmtpSessionIT {

    @Test
    void acceptsOneMessageForAProtectedDomainAndQueuesItUnstuffedWithAReceivedHeader() throws Exception {
        try (TestServer server = TestServer.start(); SmtpTestClient client = server.connect()) {
            assertThat(client.reply()).isEqualTo("220 mx2.example.org ESMTP mxguard");
            client.send("EHLO client.example\r\n");
            assertThat(client.reply()).isEqualTo("""
                    250-mx2.example.org
                    250-PIPELINING
                    250-SIZE 10240000
                    250-ENHANCEDSTATUSCODES
                    250-8BITMIME
                    250 SMTPUTF8""");
            client.converse("""
                    MAIL FROM:<sender@client.example> SIZE=100\r
                    >250 2.1.0 Ok
                    RCPT TO:<User@Example.ORG.>\r
                    >250 2.1.5 Ok
                    DATA\r
                    >354 End data with <CR><LF>.<CR><LF>
                    Message-ID: <m1@client.example>\r
                    Subject: dots\r
                    \r
                    ..leading dot\r
                    .\r
                    >250 2.0.0 Ok: queued as 0000000A0001
                    QUIT\r
                    >221 2.0.0 Bye
                    """);
        }
        // fresh server object is closed; the spool is kept by the TestServer instance
    }

    @Test
    void storedMessageAndEnvelopeAreExactlyWhatWasSent() throws Exception {
        try (TestServer server = TestServer.start(); SmtpTestClient client = server.connect()) {
            client.converse("""
                    >220
                    EHLO client.example\r
                    >250
                    MAIL FROM:<sender@client.example>\r
                    >250
                    RCPT TO:<User@Example.ORG.>\r
                    >250
                    DATA\r
                    >354
                    Message-ID: <m1@client.example>\r
                    \r
                    ..leading dot\r
                    .\r
                    >250 2.0.0 Ok: queued as
                    """);
            QueuedMessage message = server.spool.messages().getFirst();
            assertThat(message.envelope().sender()).isEqualTo(MailAddress.of("sender", "client.example"));
            assertThat(message.envelope().recipients()).containsExactly(MailAddress.of("User", "example.org"));
            assertThat(server.spool.content(message.id())).isEqualTo("""
                    Received: from client.example (client.example [127.0.0.1])\r
                    \tby mx2.example.org (mxguard) with ESMTP id 0000000A0001\r
                    \tfor <User@example.org>; Thu, 26 Nov 2026 22:17:06 +0000\r
                    Message-ID: <m1@client.example>\r
                    \r
                    .leading dot\r
                    """);
        }
    }

    @Test
    void logsTheMessageAsPostfixDoes() throws Exception {
        try (TestServer server = TestServer.start()) {
            try (SmtpTestClient client = server.connect()) {
                client.converse("""
                        >220
                        EHLO client.example\r
                        >250
                        MAIL FROM:<>\r
                        >250
                        RCPT TO:<a@example.org>\r
                        >250
                        RCPT TO:<b@host.sub.example.net>\r
                        >250
                        RCPT TO:<c@elsewhere.example>\r
                        >550 5.7.1 <c@elsewhere.example>: Relay access denied
                        DATA\r
                        >354
                        Message-ID: <m2@client.example>\r
                        \r
                        body\r
                        .\r
                        >250
                        QUIT\r
                        >221
                        """);
            }
            server.events.await(SessionEvent.Disconnected.class);
            QueuedMessage message = server.spool.messages().getFirst();
            long size = server.spool.content(message.id()).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            assertThat(message.size()).isEqualTo(size);
            assertThat(server.logLines()).map(line -> line.substring(line.indexOf("postfix-mxguard/")))
                    .map(line -> line.replaceFirst("\\[\\d+\\]: ", "[PID]: "))
                    .containsExactly(
                            "postfix-mxguard/smtpd[PID]: connect from client.example[127.0.0.1]",
                            "postfix-mxguard/smtpd[PID]: NOQUEUE: reject: RCPT from client.example[127.0.0.1]: 550 5.7.1"
                                    + " <c@elsewhere.example>: Relay access denied; from=<> to=<c@elsewhere.example>"
                                    + " proto=ESMTP helo=<client.example>",
                            "postfix-mxguard/smtpd[PID]: 0000000A0001: client=client.example[127.0.0.1]",
                            "postfix-mxguard/cleanup[PID]: 0000000A0001: message-id=<m2@client.example>",
                            "postfix-mxguard/qmgr[PID]: 0000000A0001: from=<>, size=" + size + ", nrcpt=2 (queue active)",
                            "postfix-mxguard/smtpd[PID]: disconnect from client.example[127.0.0.1] ehlo=1 mail=1"
                                    + " rcpt=2/3 data=1 quit=1 commands=6/7");
            assertThat(server.logLines().getFirst()).startsWith("Nov 26 22:17:06 mx2.example.org ");
        }
    }

    @Test
    void relayDeniedCanBeATemporaryRefusal() throws Exception {
        try (TestServer server = TestServer.start(s -> s.withRelayControl(454, null, false), PolicyEngine.NONE);
                SmtpTestClient client = server.connect()) {
            client.converse("""
                    >220
                    HELO client.example\r
                    >250 mx2.example.org
                    MAIL FROM:<x@client.example>\r
                    >250
                    RCPT TO:<y@elsewhere.example>\r
                    >454 4.7.1 <y@elsewhere.example>: Relay access denied
                    """);
            assertThat(server.awaitLog("NOQUEUE: reject")).contains("proto=SMTP helo=<client.example>");
        }
    }

    @Test
    void commandsOutOfSequenceGet503() throws Exception {
        try (TestServer server = TestServer.start(); SmtpTestClient client = server.connect()) {
            client.converse("""
                    >220
                    MAIL FROM:<x@client.example>\r
                    >503 5.5.1 Error: send HELO/EHLO first
                    EHLO client.example\r
                    >250
                    RCPT TO:<a@example.org>\r
                    >503 5.5.1 Error: need MAIL command
                    DATA\r
                    >503 5.5.1 Error: need MAIL command
                    MAIL FROM:<x@client.example>\r
                    >250
                    MAIL FROM:<x@client.example>\r
                    >503 5.5.1 Error: nested MAIL command
                    DATA\r
                    >503 5.5.1 Error: need RCPT command
                    RCPT TO:<a@elsewhere.example>\r
                    >550
                    DATA\r
                    >554 5.5.1 Error: no valid recipients
                    RSET\r
                    >250 2.0.0 Ok
                    RCPT TO:<a@example.org>\r
                    >503 5.5.1 Error: need MAIL command
                    """);
        }
    }

    @Test
    void badInputGetsClearErrors() throws Exception {
        try (TestServer server = TestServer.start(); SmtpTestClient client = server.connect()) {
            client.converse("""
                    >220
                    EHLO\r
                    >501 5.5.4 Syntax: EHLO hostname
                    EHLO client.example\r
                    >250
                    FROB\r
                    >500 5.5.2 Error: command not recognized
                    NOOP\0\r
                    >500 5.5.2 Error: NUL character in command
                    MAIL FROM:<\u00e4@client.example>\r
                    >501 5.5.2 Error: 8-bit characters in command without SMTPUTF8
                    MAIL FROM:<a@b@client.example>\r
                    >501 5.1.7 Bad sender address syntax
                    MAIL FROM:<x@client.example> FROB=1\r
                    >555 5.5.4 Unsupported option
                    MAIL FROM:<x@client.example> SIZE=big\r
                    >501 5.5.4 Bad message size syntax
                    MAIL TO:<x@client.example>\r
                    >501 5.5.4 Syntax: MAIL FROM:<address>
                    MAIL FROM:<x@client.example>\r
                    >250
                    RCPT TO:<a@@example.org>\r
                    >501 5.1.3 Bad recipient address syntax
                    RCPT TO:<a@example.org> NOTIFY=NEVER\r
                    >555 5.5.4 Unsupported option
                    DATA now\r
                    >501 5.5.4 Syntax: DATA
                    VRFY root\r
                    >252 2.5.2
                    HELP\r
                    >214 2.0.0
                    ETRN example.org\r
                    >502 5.5.1 Error: command not implemented
                    STARTTLS\r
                    >502 5.5.1 Error: command not implemented
                    """);
        }
    }

    @Test
    void tooLongCommandLineIsRefusedAndTheSessionGoesOn() throws Exception {
        try (TestServer server = TestServer.start(); SmtpTestClient client = server.connect()) {
            client.expect("220");
            client.send("NOOP " + "x".repeat(506) + "\r\n");
            client.expect("500 5.5.2 Error: line too long");
            client.send("NOOP " + "x".repeat(505) + "\r\n");
            client.expect("250 2.0.0 Ok");
        }
    }

    @Test
    void smtpUtf8AllowsUtf8AddressesAndUlabelDomainsCompareAsAlabels() throws Exception {
        try (TestServer server = TestServer.start(); SmtpTestClient client = server.connect()) {
            client.converse("""
                    >220
                    EHLO client.example\r
                    >250
                    """);
            client.sendUtf8("MAIL FROM:<jürgen@client.example> SMTPUTF8\r\n");
            client.expect("250 2.1.0");
            client.sendUtf8("RCPT TO:<ärger@bücher.example>\r\n");
            client.expect("250 2.1.5");
            client.sendUtf8("RCPT TO:<x@xn--bcher-kva.example>\r\n");
            client.expect("250 2.1.5");
            client.converse("""
                    DATA\r
                    >354
                    Subject: x\r
                    \r
                    .\r
                    >250
                    """);
            QueuedMessage message = server.spool.messages().getFirst();
            assertThat(message.envelope().smtpUtf8()).isTrue();
            assertThat(message.envelope().recipients()).extracting(MailAddress::address)
                    .containsExactly("ärger@xn--bcher-kva.example", "x@xn--bcher-kva.example");
            assertThat(server.spool.content(message.id())).contains("with UTF8SMTP id");
        }
    }

    @Test
    void recipientsBeyondTheLimitGet452() throws Exception {
        try (TestServer server = TestServer.start(s -> s.withLimits(10_240_000, 2, 100, 50, 20), PolicyEngine.NONE);
                SmtpTestClient client = server.connect()) {
            client.converse("""
                    >220
                    EHLO client.example\r
                    >250
                    MAIL FROM:<x@client.example>\r
                    >250
                    RCPT TO:<a@example.org>\r
                    >250
                    RCPT TO:<b@example.org>\r
                    >250
                    RCPT TO:<c@example.org>\r
                    >452 4.5.3 Error: too many recipients
                    DATA\r
                    >354
                    \r
                    .\r
                    >250
                    """);
            assertThat(server.spool.messages().getFirst().envelope().recipients()).hasSize(2);
        }
    }

    @Test
    void declaredSizeOverTheLimitIsRefusedAtMail() throws Exception {
        try (TestServer server = TestServer.start(s -> s.withLimits(1000, 100, 100, 50, 20), PolicyEngine.NONE);
                SmtpTestClient client = server.connect()) {
            client.converse("""
                    >220
                    EHLO client.example\r
                    >250-SIZE 1000
                    MAIL FROM:<x@client.example> SIZE=1001\r
                    >552 5.3.4 Message size exceeds fixed limit
                    MAIL FROM:<x@client.example> SIZE=1000\r
                    >250
                    """);
            assertThat(server.awaitLog("reject: MAIL")).contains(
                    "NOQUEUE: reject: MAIL from client.example[127.0.0.1]: 552 5.3.4 Message size exceeds fixed"
                            + " limit; from=<x@client.example> proto=ESMTP helo=<client.example>");
        }
    }

    @Test
    void actualSizeOverTheLimitIsRefusedAfterDataAndNothingIsQueued() throws Exception {
        try (TestServer server = TestServer.start(s -> s.withLimits(1000, 100, 100, 50, 20), PolicyEngine.NONE);
                SmtpTestClient client = server.connect()) {
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
            for (int i = 0; i < 20; i++) {
                client.send("x".repeat(98) + "\r\n");
            }
            client.send(".\r\n");
            client.expect("552 5.3.4 Message size exceeds fixed limit");
            client.converse("""
                    NOOP\r
                    >250
                    """);
            assertThat(server.spool.messages()).isEmpty();
            assertThat(server.spool.discardedCount()).isEqualTo(1);
        }
    }

    @Test
    void longTextLinesAreAcceptedAndQueuedAsReceived() throws Exception {
        try (TestServer server = TestServer.start(); SmtpTestClient client = server.connect()) {
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
            // HTML mail from real senders has lines far past RFC 5321's 1000 octets
            String html = "<html><body>" + "<p>word</p>".repeat(2000) + "</body></html>";
            client.send("Subject: html\r\n\r\n" + html + "\r\n.." + "y".repeat(1500) + "\r\n.\r\n");
            client.expect("250 2.0.0 Ok: queued as");
            assertThat(server.spool.content(server.spool.messages().getFirst().id())).endsWith(
                    "Subject: html\r\n\r\n" + html + "\r\n." + "y".repeat(1500) + "\r\n");
        }
    }

    @Test
    void exactly998OctetLinesAreAccepted() throws Exception {
        try (TestServer server = TestServer.start(); SmtpTestClient client = server.connect()) {
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
            client.send("." + "x".repeat(998) + "\r\n.\r\n");
            client.expect("250 2.0.0");
            assertThat(server.spool.content(server.spool.messages().getFirst().id())).endsWith(
                    "x".repeat(998) + "\r\n");
        }
    }

    @Test
    void aWholeTransactionCanBePipelined() throws Exception {
        try (TestServer server = TestServer.start(); SmtpTestClient client = server.connect()) {
            client.expect("220");
            client.send("EHLO client.example\r\nMAIL FROM:<x@client.example>\r\nRCPT TO:<a@example.org>\r\n"
                    + "RCPT TO:<b@elsewhere.example>\r\nDATA\r\n");
            client.expect("250 SMTPUTF8");
            client.expect("250 2.1.0");
            client.expect("250 2.1.5");
            client.expect("550 5.7.1");
            client.expect("354");
            client.send("Subject: pipelined\r\n\r\n.\r\nRSET\r\nQUIT\r\n");
            client.expect("250 2.0.0 Ok: queued as");
            client.expect("250 2.0.0 Ok");
            client.expect("221 2.0.0 Bye");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void spoolFailuresAreTemporaryAndNothingIsQueued() throws Exception {
        try (TestServer server = TestServer.start(); SmtpTestClient client = server.connect()) {
            server.spool.failNextCommit(new SpoolFullException("disk full", null));
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
                    \r
                    .\r
                    >452 4.3.1 Insufficient system storage
                    """);
            server.spool.failNextCommit(new IOException("fsync failed"));
            client.converse("""
                    MAIL FROM:<x@client.example>\r
                    >250
                    RCPT TO:<a@example.org>\r
                    >250
                    DATA\r
                    >354
                    \r
                    .\r
                    >451 4.3.0 Error: queue file write error
                    """);
            assertThat(server.spool.messages()).isEmpty();
        }
    }

    @Test
    void hardErrorLimitEndsTheSessionWith421() throws Exception {
        try (TestServer server = TestServer.start(s -> s.withLimits(10_240_000, 100, 100, 50, 3), PolicyEngine.NONE);
                SmtpTestClient client = server.connect()) {
            client.converse("""
                    >220
                    FROB\r
                    >500
                    FROB\r
                    >500
                    FROB\r
                    >500
                    >421 4.7.0 mx2.example.org Error: too many errors
                    """);
            assertThat(client.closedByServer()).isTrue();
            assertThat(server.awaitLog("too many errors")).endsWith(
                    "too many errors after UNKNOWN from client.example[127.0.0.1]");
            assertThat(server.awaitLog("disconnect from")).endsWith(
                    "disconnect from client.example[127.0.0.1] unknown=0/3 commands=0/3");
        }
    }

    @Test
    void idleClientTimesOutWith421() throws Exception {
        try (TestServer server = TestServer.start(
                s -> s.withTimeouts(Duration.ofMillis(200), Duration.ofMillis(200)), PolicyEngine.NONE);
                SmtpTestClient client = server.connect()) {
            client.converse("""
                    >220
                    EHLO client.example\r
                    >250
                    >421 4.4.2 mx2.example.org Error: timeout exceeded
                    """);
            assertThat(server.awaitLog("timeout after")).endsWith(
                    "timeout after EHLO from client.example[127.0.0.1]");
        }
    }

    @Test
    void lostConnectionIsLoggedWithTheLastCommand() throws Exception {
        try (TestServer server = TestServer.start()) {
            try (SmtpTestClient client = server.connect()) {
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
                        half a message\r
                        """);
            }
            assertThat(server.awaitLog("lost connection")).endsWith(
                    "lost connection after DATA (16 bytes) from client.example[127.0.0.1]");
            server.events.await(SessionEvent.Disconnected.class);
            assertThat(server.spool.messages()).isEmpty();
            assertThat(server.spool.discardedCount()).isEqualTo(1);
        }
    }

    @Test
    void connectionsOverThePerClientLimitGet421() throws Exception {
        try (TestServer server = TestServer.start(s -> s.withLimits(10_240_000, 100, 100, 1, 20), PolicyEngine.NONE);
                SmtpTestClient first = server.connect()) {
            first.expect("220");
            try (SmtpTestClient second = server.connect()) {
                second.expect("421 4.7.0 mx2.example.org Error: too many connections from 127.0.0.1");
                assertThat(second.closedByServer()).isTrue();
            }
            first.converse("""
                    QUIT\r
                    >221
                    """);
            server.events.await(SessionEvent.Disconnected.class);
            try (SmtpTestClient third = server.connect()) {
                third.expect("220");
            }
        }
    }

    @Test
    void connectionsOverTheTotalLimitGet421() throws Exception {
        try (TestServer server = TestServer.start(s -> s.withLimits(10_240_000, 100, 1, 50, 20), PolicyEngine.NONE);
                SmtpTestClient first = server.connect()) {
            first.expect("220");
            try (SmtpTestClient second = server.connect()) {
                second.expect("421 4.7.0");
            }
        }
    }

    @Test
    void clientThatTalksBeforeTheGreetingIsRefused() throws Exception {
        try (TestServer server = TestServer.start(s -> s.withPregreetWait(Duration.ofSeconds(3)), PolicyEngine.NONE);
                SmtpTestClient client = server.connect()) {
            client.send("EHLO bot.example\r\n");
            client.expect("554 5.5.1 Error: SMTP protocol violation");
            assertThat(client.closedByServer()).isTrue();
            assertThat(server.awaitLog("PREGREET")).matches(
                    ".*smtpd\\[\\d+\\]: PREGREET 18 after 0\\.00 from \\[127\\.0\\.0\\.1\\]:\\d+: EHLO bot\\.example\\\\r\\\\n");
        }
    }

    @Test
    void clientThatWaitsForTheGreetingIsServedAfterThePregreetWait() throws Exception {
        try (TestServer server = TestServer.start(s -> s.withPregreetWait(Duration.ofMillis(100)), PolicyEngine.NONE);
                SmtpTestClient client = server.connect()) {
            client.converse("""
                    >220 mx2.example.org ESMTP mxguard
                    EHLO client.example\r
                    >250
                    """);
        }
    }

    @Test
    void etrnRunsTheQueueOnlyForProtectedDomains() throws Exception {
        List<String> runs = java.util.Collections.synchronizedList(new ArrayList<>());
        try (TestServer server = TestServer.start(); SmtpTestClient client = server.connect()) {
            server.server.setEtrnQueue((domain, subdomains) -> runs.add((subdomains ? "@" : "") + domain.name()));
            client.converse("""
                    >220
                    ETRN example.org\r
                    >503 5.5.1 Error: send HELO/EHLO first
                    EHLO client.example\r
                    >250-ETRN
                    ETRN example.org\r
                    >250 2.0.0 Queuing started
                    ETRN other.example\r
                    >459 4.7.1 <other.example>: service unavailable
                    ETRN @other.example\r
                    >459 4.7.1 <@other.example>: service unavailable
                    ETRN sub.example.net\r
                    >459 4.7.1 <sub.example.net>: service unavailable
                    ETRN host.sub.example.net\r
                    >250 2.0.0 Queuing started
                    ETRN @sub.example.net\r
                    >250 2.0.0 Queuing started
                    ETRN @example.org\r
                    >250 2.0.0 Queuing started
                    ETRN #queue\r
                    >458 4.3.0 Unable to queue messages for #queue
                    ETRN a..b\r
                    >501 5.5.4 Syntax: ETRN domain
                    """);
        }
        assertThat(runs).containsExactly("example.org", "host.sub.example.net", "@sub.example.net", "@example.org");
    }

    @Test
    void aNameLookupThatHangsEndsAsUnknown() throws Exception {
        SmtpSettings settings = TestServer.settings();
        settings = new SmtpSettings(settings.hostname(), settings.listen(), settings.protectedDomains(), 550, null,
                false, 512, 2048, 10_240_000, 100, 100, 50, Duration.ofSeconds(10), Duration.ofSeconds(10), 20, null,
                null, SmtpSettings.BareLineFeed.REJECT, Duration.ZERO, Duration.ofMillis(100), 100, List.of());
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        try (TestServer server = TestServer.start(settings, PolicyEngine.NONE, address -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "never.example";
        }); SmtpTestClient client = server.connect()) {
            client.expect("220");
            assertThat(server.awaitLog("connect from")).endsWith("connect from unknown[127.0.0.1]");
        } finally {
            never.countDown();
        }
    }

    @Test
    void eventsNameTheClientAndTheSession() throws Exception {
        try (TestServer server = TestServer.start(); SmtpTestClient client = server.connect()) {
            client.converse("""
                    >220
                    EHLO client.example\r
                    >250
                    QUIT\r
                    >221
                    """);
            SessionEvent.Disconnected disconnected = server.events.await(SessionEvent.Disconnected.class);
            assertThat(disconnected.client().helo()).isEqualTo("client.example");
            assertThat(disconnected.client().protocol()).isEqualTo("ESMTP");
            assertThat(disconnected.counts()).containsExactly(new CommandCount("ehlo", 1, 1),
                    new CommandCount("quit", 1, 1), new CommandCount("commands", 2, 2));
            assertThat(server.events.events()).first().isInstanceOf(SessionEvent.Connected.class);
            assertThat(List.of(disconnected.counts().getLast().render())).containsExactly("commands=2");
        }
    }

    @Test
    void barePostmasterIsRefusedUnlessAPostmasterDomainIsSet() throws Exception {
        try (TestServer server = TestServer.start(); SmtpTestClient client = server.connect()) {
            client.converse("""
                    >220
                    EHLO client.example\r
                    >250
                    MAIL FROM:<x@client.example>\r
                    >250
                    RCPT TO:<postmaster>\r
                    >550 5.7.1 <postmaster>: Relay access denied
                    """);
        }
        try (TestServer server = TestServer.start(s -> s.withRelayControl(550, "example.org", false),
                PolicyEngine.NONE); SmtpTestClient client = server.connect()) {
            client.converse("""
                    >220
                    EHLO client.example\r
                    >250
                    MAIL FROM:<x@client.example>\r
                    >250
                    RCPT TO:<Postmaster>\r
                    >250 2.1.5
                    DATA\r
                    >354
                    \r
                    .\r
                    >250
                    """);
            assertThat(server.spool.messages().getFirst().envelope().recipients())
                    .containsExactly(MailAddress.of("postmaster", "example.org"));
        }
    }

    @Test
    void aClientSilentInDataTimesOutAndNothingIsQueued() throws Exception {
        try (TestServer server = TestServer.start(
                s -> s.withTimeouts(Duration.ofSeconds(10), Duration.ofMillis(200)), PolicyEngine.NONE);
                SmtpTestClient client = server.connect()) {
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
                    Subject: half\r
                    >421 4.4.2 mx2.example.org Error: timeout exceeded
                    """);
            assertThat(server.awaitLog("timeout after")).endsWith("timeout after DATA (15 bytes) from client.example[127.0.0.1]");
            server.events.await(SessionEvent.Disconnected.class);
            assertThat(server.spool.messages()).isEmpty();
            assertThat(server.spool.discardedCount()).isEqualTo(1);
        }
    }

    @Test
    void closingTheServerEndsOpenSessions() throws Exception {
        try (TestServer server = TestServer.start(); SmtpTestClient client = server.connect()) {
            client.converse("""
                    >220
                    EHLO client.example\r
                    >250
                    """);
            server.close();
            assertThat(client.closedByServer()).isTrue();
            assertThat(server.events.await(SessionEvent.Dropped.class).reason())
                    .isEqualTo(SessionEvent.DropReason.LOST_CONNECTION);
            assertThat(answersOn(server.port())).as("a greeting on the closed port").isNull();
        }
    }

    /**
     * The first line whoever listens on the port says within a second, or null if nobody answers
     * there. A closed port may still connect: to itself (Linux picks the same number as the client's
     * port now and then, a TCP simultaneous open) or to another process that took the free number.
     */
    private static String answersOn(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            if (socket.getLocalPort() == port) {
                return null;
            }
            socket.setSoTimeout(1000);
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
        } catch (IOException refusedOrSilent) {
            return null;
        }
    }

    @Test
    void multipleRecipientsAreNotNamedInTheReceivedHeader() throws Exception {
        try (TestServer server = TestServer.start(); SmtpTestClient client = server.connect()) {
            client.converse("""
                    >220
                    HELO client.example\r
                    >250
                    MAIL FROM:<x@client.example>\r
                    >250
                    RCPT TO:<a@example.org>\r
                    >250
                    RCPT TO:<b@example.org>\r
                    >250
                    DATA\r
                    >354
                    \r
                    .\r
                    >250
                    """);
            assertThat(server.spool.content(server.spool.messages().getFirst().id())).startsWith("""
                    Received: from client.example (client.example [127.0.0.1])\r
                    \tby mx2.example.org (mxguard) with SMTP id 0000000A0001;\r
                    \tThu, 26 Nov 2026 22:17:06 +0000\r
                    """).doesNotContain("for <");
        }
    }

    @Test
    void aMessageSentBeforeThe354IsRefusedAndLoggedAsImproperPipelining() throws Exception {
        try (TestServer server = TestServer.start(); SmtpTestClient client = server.connect()) {
            client.converse("""
                    >220
                    EHLO bot.example\r
                    >250
                    MAIL FROM:<x@bot.example>\r
                    >250
                    RCPT TO:<y@example.org>\r
                    >250
                    """);
            client.send("DATA\r\nSubject: spam\r\n\r\nbody\r\n.\r\n");
            client.expect("554 5.5.0 Error: SMTP protocol synchronization");
            assertThat(client.closedByServer()).isTrue();
            assertThat(server.spool.messages()).isEmpty();
            assertThat(server.awaitLog("improper command pipelining")).endsWith(
                    "improper command pipelining after DATA from client.example[127.0.0.1]: "
                            + "Subject: spam\\r\\n\\r\\nbody\\r\\n.\\r\\n");
            assertThat(server.awaitLog("disconnect from")).endsWith(
                    "ehlo=1 mail=1 rcpt=1 data=0/1 commands=3/4");
        }
    }

    @Test
    void aMessageSentWithoutWaitingForARefusedDataIsNeverTakenForCommands() throws Exception {
        try (TestServer server = TestServer.start(); SmtpTestClient client = server.connect()) {
            client.converse("""
                    >220
                    EHLO bot.example\r
                    >250
                    """);
            client.send("MAIL FROM:<x@bot.example>\r\nRCPT TO:<y@elsewhere.example>\r\nDATA\r\n"
                    + "Subject: spam\r\n\r\nMAIL FROM:<a@bot.example>\r\nRCPT TO:<b@example.org>\r\n.\r\n");
            client.expect("250 2.1.0");
            client.expect("550 5.7.1");
            client.expect("554 5.5.1 Error: no valid recipients");
            assertThat(client.closedByServer()).isTrue();
            assertThat(server.awaitLog("improper command pipelining")).endsWith(
                    "improper command pipelining after DATA from client.example[127.0.0.1]: Subject: spam\\r\\n"
                            + "\\r\\nMAIL FROM:<a@bot.example>\\r\\nRCPT TO:<b@example.org>\\r\\n.\\r\\n");
            assertThat(server.awaitLog("disconnect from")).endsWith("ehlo=1 mail=1 rcpt=0/1 data=0/1 commands=2/4");
        }
    }

    @Test
    void listensOnEveryConfiguredAddress() throws Exception {
        List<java.net.InetSocketAddress> two = List.of(new java.net.InetSocketAddress("127.0.0.1", 0),
                new java.net.InetSocketAddress("127.0.0.2", 0));
        try (TestServer server = TestServer.start(s -> s.withListen(two), PolicyEngine.NONE)) {
            assertThat(server.server.boundAddresses()).hasSize(2);
            for (java.net.InetSocketAddress address : server.server.boundAddresses()) {
                try (java.net.Socket socket = new java.net.Socket(address.getAddress(), address.getPort())) {
                    socket.setSoTimeout(5000);
                    assertThat(new String(socket.getInputStream().readNBytes(5), java.nio.charset.StandardCharsets.US_ASCII))
                            .isEqualTo("220 m");
                }
            }
        }
    }
}
