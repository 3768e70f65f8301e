package org.mxguard.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.mail.Reply;
import org.mxguard.peer.Peer;
import org.mxguard.policy.Decision;
import org.mxguard.policy.PolicyEngine;
import org.mxguard.policy.RuleRef;
import org.mxguard.policy.Stage;

/**
 * The mail log of real sessions, read by the tools postmasters already use: pflogsumm and
 * fail2ban's stock postfix filter. If a tool does not understand a line, the line is wrong.
 */
@Tag("peer")
class LogToolsIT {

    @TempDir
    static Path directory;
    static Path logFile;

    /** Five clients on five loopback addresses: one sends two messages, the others are refused or hang up. */
    @BeforeAll
    static void produceALog() throws Exception {
        PolicyEngine policy = query -> query.stage() == Stage.CONNECT
                && query.clientAddress().getHostAddress().equals("127.0.0.4")
                ? new Decision.Reject(Reply.of(554, "5.7.1", "<unknown[127.0.0.4]>: Client host rejected: Access denied"),
                        new RuleRef("rules/access.rules", 3), "listed", false)
                : Decision.CONTINUE;
        try (TestServer server = TestServer.start(s -> s, policy)) {
            try (SmtpTestClient sender = SmtpTestClient.connect(server.port(), "127.0.0.2")) {
                sender.converse("""
                        >220
                        EHLO good.example\r
                        >250
                        MAIL FROM:<alice@good.example>\r
                        >250
                        RCPT TO:<bob@example.org>\r
                        >250
                        RCPT TO:<carol@elsewhere.example>\r
                        >550
                        DATA\r
                        >354
                        Message-ID: <one@good.example>\r
                        \r
                        one\r
                        .\r
                        >250
                        MAIL FROM:<>\r
                        >250
                        RCPT TO:<dave@a.sub.example.net>\r
                        >250
                        DATA\r
                        >354
                        Message-ID: <two@good.example>\r
                        \r
                        two\r
                        .\r
                        >250
                        QUIT\r
                        >221
                        """);
            }
            try (SmtpTestClient relayTester = SmtpTestClient.connect(server.port(), "127.0.0.3")) {
                relayTester.converse("""
                        >220
                        EHLO nmap.scanme.org\r
                        >250
                        MAIL FROM:<antispam@nmap.scanme.org>\r
                        >250
                        RCPT TO:<relaytest@nmap.scanme.org>\r
                        >550 5.7.1
                        RCPT TO:<relaytest%nmap.scanme.org@example.org>\r
                        >550 5.7.1
                        QUIT\r
                        >221
                        """);
            }
            try (SmtpTestClient listed = SmtpTestClient.connect(server.port(), "127.0.0.4")) {
                listed.converse("""
                        >220
                        HELO dialup.example\r
                        >250
                        MAIL FROM:<>\r
                        >250
                        RCPT TO:<bob@example.org>\r
                        >554 5.7.1
                        QUIT\r
                        >221
                        """);
            }
            try (SmtpTestClient bot = SmtpTestClient.connect(server.port(), "127.0.0.6")) {
                bot.expect("220");
                bot.send("EHLO bot.example\r\nMAIL FROM:<>\r\nRCPT TO:<x@elsewhere.example>\r\nDATA\r\n"
                        + "Subject: spam\r\n\r\nspam\r\n.\r\n");
                bot.expect("250");
                bot.expect("250");
                bot.expect("550");
                bot.expect("554");
                assertThat(bot.closedByServer()).isTrue();
            }
            try (SmtpTestClient hangUp = SmtpTestClient.connect(server.port(), "127.0.0.5")) {
                hangUp.expect("220");
            }
            server.events.await(SessionEvent.Disconnected.class,
                    e -> e.client().addressText().equals("127.0.0.5"));
            server.events.await(SessionEvent.Disconnected.class,
                    e -> e.client().addressText().equals("127.0.0.4"));
            server.events.await(SessionEvent.Disconnected.class,
                    e -> e.client().addressText().equals("127.0.0.6"));
            logFile = directory.resolve("maillog");
            Files.write(logFile, server.logLines());
        }
    }

    @Test
    void theRuleThatRefusedIsNamedAfterTheRejectLine() throws Exception {
        List<String> lines = Files.readAllLines(logFile);
        int reject = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("NOQUEUE: reject: RCPT from client.example[127.0.0.4]: 554 5.7.1")) {
                reject = i;
            }
        }
        assertThat(reject).as(String.join("\n", lines)).isNotNegative();
        assertThat(lines.get(reject + 1)).endsWith("/smtpd[" + ProcessHandle.current().pid()
                + "]: NOQUEUE: rule: RCPT from client.example[127.0.0.4]: rules/access.rules:3; from=<> to=<bob@example.org>");
        assertThat(lines.stream().filter(l -> l.contains("NOQUEUE: rule: "))).hasSize(1);
    }

    @Test
    void pflogsummCountsReceivedMessagesAndRejects() throws Exception {
        PeerProcess report = PeerProcess.run(List.of(Peer.require("pflogsumm"), "--syslog-name=postfix-mxguard", logFile.toString()));
        assertThat(report.exitCode()).as(report.output()).isZero();
        assertThat(report.output())
                .containsPattern("\\n\\s+2\\s+received\\n")
                .containsPattern("\\n\\s+5\\s+rejected \\(")
                .containsPattern("\\n\\s+2\\s+senders\\n")
                .containsPattern("Relay access denied \\(total: 4\\)")
                .containsPattern("Client host rejected: Access denied \\(total: 1\\)");
    }

    @Test
    void fail2banStockPostfixFilterFindsEveryRejectedClient() throws Exception {
        PeerProcess normal = PeerProcess.run(List.of(Peer.require("fail2ban-regex"), "-o", "ip", logFile.toString(),
                "/etc/fail2ban/filter.d/postfix.conf"));
        assertThat(normal.exitCode()).as(normal.output()).isZero();
        // the relay refusal and the improper pipelining of 127.0.0.6 both count
        assertThat(ips(normal.output())).containsExactly("127.0.0.2", "127.0.0.3", "127.0.0.3", "127.0.0.4",
                "127.0.0.6", "127.0.0.6");
    }

    @Test
    void fail2banAggressiveModeAlsoCatchesClientsThatHangUp() throws Exception {
        PeerProcess aggressive = PeerProcess.run(List.of(Peer.require("fail2ban-regex"), "-o", "ip", logFile.toString(),
                "/etc/fail2ban/filter.d/postfix.conf[mode=aggressive]"));
        assertThat(aggressive.exitCode()).as(aggressive.output()).isZero();
        assertThat(ips(aggressive.output()))
                .containsExactly("127.0.0.2", "127.0.0.3", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6",
                        "127.0.0.6");
    }

    private static List<String> ips(String output) {
        return Arrays.stream(output.split("\n")).map(String::strip).filter(line -> line.matches("127\\.0\\.0\\.\\d+"))
                .sorted().toList();
    }
}
