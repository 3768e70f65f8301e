package org.mxguard.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.Reply;
import org.mxguard.policy.Decision;
import org.mxguard.policy.PolicyEngine;
import org.mxguard.policy.PolicyQuery;
import org.mxguard.policy.RuleRef;
import org.mxguard.policy.Stage;

class PolicyIT {

    private static final RuleRef RULE = new RuleRef("rules/access.rules", 12);
    private static final Reply RELAYING_DENIED =
            Reply.of(451, "4.7.1", "<client.example[127.0.0.1]>: Client host rejected: Relaying Denied");

    private static PolicyEngine at(Stage stage, Decision decision) {
        return query -> query.stage() == stage ? decision : Decision.CONTINUE;
    }

    private static final String TRANSACTION = """
            >220
            EHLO client.example\r
            >250
            MAIL FROM:<>\r
            >250
            """;

    @Test
    void connectDisconnectSendsItsReplyAndCloses() throws Exception {
        Decision bye = new Decision.Disconnect(Reply.of(554, "5.7.1", "Go away"), RULE, "listed", false);
        try (TestServer server = TestServer.start(s -> s, at(Stage.CONNECT, bye));
                SmtpTestClient client = server.connect()) {
            client.expect("554 5.7.1 Go away");
            assertThat(client.closedByServer()).isTrue();
            assertThat(server.awaitLog("NOQUEUE")).endsWith(
                    "NOQUEUE: reject: CONNECT from client.example[127.0.0.1]: 554 5.7.1 Go away; proto=SMTP");
        }
    }

    @Test
    void connectTempfailBitesAtRcptSoTheLogNamesSenderAndRecipient() throws Exception {
        Decision denied = new Decision.Tempfail(RELAYING_DENIED, RULE, "dial-up", false);
        try (TestServer server = TestServer.start(s -> s, at(Stage.CONNECT, denied));
                SmtpTestClient client = server.connect()) {
            client.converse(TRANSACTION + """
                    RCPT TO:<user@example.org>\r
                    >451 4.7.1 <client.example[127.0.0.1]>: Client host rejected: Relaying Denied
                    RCPT TO:<other@example.org>\r
                    >451 4.7.1
                    DATA\r
                    >554 5.5.1 Error: no valid recipients
                    """);
            assertThat(server.awaitLog("NOQUEUE")).endsWith("NOQUEUE: reject: RCPT from client.example[127.0.0.1]: "
                    + "451 4.7.1 <client.example[127.0.0.1]>: Client host rejected: Relaying Denied; from=<> "
                    + "to=<user@example.org> proto=ESMTP helo=<client.example>");
            SessionEvent.Rejected rejected = server.events.await(SessionEvent.Rejected.class);
            assertThat(rejected.rule()).isEqualTo(RULE);
        }
    }

    @Test
    void heloAndMailVerdictsAlsoWaitForRcpt() throws Exception {
        Decision helo = new Decision.Reject(Reply.of(550, "5.7.1", "<bad>: Helo command rejected"), RULE, "x", false);
        try (TestServer server = TestServer.start(s -> s, at(Stage.HELO, helo));
                SmtpTestClient client = server.connect()) {
            client.converse(TRANSACTION + """
                    RCPT TO:<user@example.org>\r
                    >550 5.7.1 <bad>: Helo command rejected
                    """);
        }
        Decision mail = new Decision.Reject(Reply.of(550, "5.7.1", "<>: Sender address rejected"), RULE, "x", false);
        try (TestServer server = TestServer.start(s -> s, at(Stage.MAIL, mail));
                SmtpTestClient client = server.connect()) {
            client.converse(TRANSACTION + """
                    RCPT TO:<user@example.org>\r
                    >550 5.7.1 <>: Sender address rejected
                    RSET\r
                    >250
                    """);
        }
    }

    @Test
    void warnOnlyIsLoggedAsRejectWarningAndTheMailGoesThrough() throws Exception {
        Decision warn = new Decision.Tempfail(RELAYING_DENIED, RULE, "dial-up", true);
        try (TestServer server = TestServer.start(s -> s, at(Stage.CONNECT, warn));
                SmtpTestClient client = server.connect()) {
            client.converse(TRANSACTION + """
                    RCPT TO:<user@example.org>\r
                    >250 2.1.5
                    DATA\r
                    >354
                    \r
                    .\r
                    >250 2.0.0 Ok: queued
                    """);
            assertThat(server.awaitLog("NOQUEUE")).contains("NOQUEUE: reject_warning: RCPT from "
                    + "client.example[127.0.0.1]: 451 4.7.1 <client.example[127.0.0.1]>: Client host rejected: "
                    + "Relaying Denied; from=<> to=<user@example.org> proto=ESMTP helo=<client.example>");
            assertThat(server.spool.messages()).hasSize(1);
        }
    }

    @Test
    void rcptQueriesCarryTheWholeTransaction() throws Exception {
        List<PolicyQuery> queries = new CopyOnWriteArrayList<>();
        PolicyEngine recording = query -> {
            queries.add(query);
            return Decision.CONTINUE;
        };
        try (TestServer server = TestServer.start(s -> s, recording); SmtpTestClient client = server.connect()) {
            client.converse("""
                    >220
                    EHLO client.example\r
                    >250
                    MAIL FROM:<s@client.example>\r
                    >250
                    RCPT TO:<User@EXAMPLE.org>\r
                    >250
                    """);
        }
        assertThat(queries).extracting(PolicyQuery::stage)
                .containsExactly(Stage.CONNECT, Stage.HELO, Stage.MAIL, Stage.RCPT);
        PolicyQuery rcpt = queries.getLast();
        assertThat(rcpt.clientName()).isEqualTo("client.example");
        assertThat(rcpt.helo()).isEqualTo("client.example");
        assertThat(rcpt.sender()).isEqualTo(MailAddress.of("s", "client.example"));
        assertThat(rcpt.recipient()).isEqualTo(MailAddress.of("User", "example.org"));
    }

    @Test
    void acceptAtMailSkipsTheRcptRulesButNotRelayControl() throws Exception {
        PolicyEngine policy = query -> switch (query.stage()) {
            case MAIL -> new Decision.Accept(RULE);
            case RCPT -> new Decision.Reject(Reply.of(550, "5.7.1", "never consulted"), RULE, "x", false);
            default -> Decision.CONTINUE;
        };
        try (TestServer server = TestServer.start(s -> s, policy); SmtpTestClient client = server.connect()) {
            client.converse(TRANSACTION + """
                    RCPT TO:<user@example.org>\r
                    >250 2.1.5
                    RCPT TO:<user@elsewhere.example>\r
                    >550 5.7.1 <user@elsewhere.example>: Relay access denied
                    """);
        }
    }

    @Test
    void relayControlComesBeforeAnyPolicyVerdict() throws Exception {
        Decision denied = new Decision.Tempfail(RELAYING_DENIED, RULE, "dial-up", false);
        try (TestServer server = TestServer.start(s -> s, at(Stage.RCPT, denied));
                SmtpTestClient client = server.connect()) {
            client.converse(TRANSACTION + """
                    RCPT TO:<user@elsewhere.example>\r
                    >550 5.7.1 <user@elsewhere.example>: Relay access denied
                    RCPT TO:<user@example.org>\r
                    >451 4.7.1
                    """);
        }
    }

    @Test
    void disconnectAtRcptClosesAfterItsReply() throws Exception {
        Decision bye = new Decision.Disconnect(Reply.of(421, "4.7.0", "Closing"), RULE, "x", false);
        try (TestServer server = TestServer.start(s -> s, at(Stage.RCPT, bye));
                SmtpTestClient client = server.connect()) {
            client.converse(TRANSACTION + """
                    RCPT TO:<user@example.org>\r
                    >421 4.7.0 Closing
                    """);
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void aFailingPolicyIsATemporaryErrorNotAnOpenDoor() throws Exception {
        PolicyEngine broken = query -> {
            if (query.stage() == Stage.RCPT) {
                throw new IllegalStateException("rule file half loaded");
            }
            return Decision.CONTINUE;
        };
        try (TestServer server = TestServer.start(s -> s, broken); SmtpTestClient client = server.connect()) {
            client.converse(TRANSACTION + """
                    RCPT TO:<user@example.org>\r
                    >451 4.3.5 Server configuration problem
                    QUIT\r
                    >221
                    """);
        }
    }
}
