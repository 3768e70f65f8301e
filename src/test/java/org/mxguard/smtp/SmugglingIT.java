package org.mxguard.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mxguard.mail.MailAddress;
import org.mxguard.policy.PolicyEngine;
import org.mxguard.spool.QueuedMessage;

/**
 * SMTP smuggling (2023): a fake end-of-data made of bare CR or LF, followed by a second transaction,
 * must neither end the message nor queue a second one. Only CR LF "." CR LF ends DATA.
 */
class SmugglingIT {

    private static final String SMUGGLED = "MAIL FROM:<ceo@example.org>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\n"
            + "From: ceo@example.org\r\n\r\nsmuggled\r\n";

    @ParameterizedTest
    @ValueSource(strings = {"\n.\n", "\n.\r\n", "\r.\r", "\r.\n", "\r.\r\n", "\r\n.\n", "\r\n.\r", "\n.\r",
            "\r\n.\r\r\n", "\n\n.\n\n", "\r\r\n.\r\r\n"})
    void bareCrOrLfEndOfDataIsRefusedAsOneMessage(String fakeEnd) throws Exception {
        try (TestServer server = TestServer.start(); SmtpTestClient client = server.connect()) {
            startData(client);
            client.send("Subject: innocent\r\n\r\nbody" + fakeEnd + SMUGGLED + ".\r\nQUIT\r\n");
            String reply = client.reply();
            assertThat(reply).matches("550 5\\.5\\.2 Error: bare <(LF|CR)> received");
            client.expect("221 2.0.0 Bye");
            assertThat(server.spool.messages()).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n.\n", "\n.\r\n", "\r.\r", "\r.\n", "\r.\r\n", "\r\n.\n", "\r\n.\r", "\n.\r",
            "\r\n.\r\r\n", "\n\n.\n\n", "\r\r\n.\r\r\n"})
    void normalizedBareCrOrLfStaysInsideTheOneMessage(String fakeEnd) throws Exception {
        try (TestServer server = TestServer.start(s -> s.withBareLineFeed(SmtpSettings.BareLineFeed.NORMALIZE),
                PolicyEngine.NONE); SmtpTestClient client = server.connect()) {
            startData(client);
            client.send("Subject: innocent\r\n\r\nbody" + fakeEnd + SMUGGLED + ".\r\nQUIT\r\n");
            client.expect("250 2.0.0 Ok: queued as");
            client.expect("221 2.0.0 Bye");
            List<QueuedMessage> messages = server.spool.messages();
            assertThat(messages).hasSize(1);
            QueuedMessage message = messages.getFirst();
            assertThat(message.envelope().sender()).isEqualTo(MailAddress.of("sender", "client.example"));
            assertThat(message.envelope().recipients()).containsExactly(MailAddress.of("rcpt", "example.org"));
            String content = server.spool.content(message.id());
            assertThat(content).contains("body").contains("smuggled").contains("MAIL FROM:<ceo@example.org>");
            // every line end in the stored message is CRLF
            assertThat(content.replace("\r\n", "")).doesNotContain("\r").doesNotContain("\n");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"\r\n\0.\r\n", "\r\n.\0\r\n", "\r\n .\r\n", "\r\n.. \r\n", "\r\n..\r\n"})
    void almostEndOfDataLinesAreContent(String fakeEnd) throws Exception {
        try (TestServer server = TestServer.start(); SmtpTestClient client = server.connect()) {
            startData(client);
            client.send("Subject: innocent\r\n\r\nbody" + fakeEnd + SMUGGLED + ".\r\nQUIT\r\n");
            client.expect("250 2.0.0 Ok: queued as");
            client.expect("221 2.0.0 Bye");
            assertThat(server.spool.messages()).hasSize(1);
            assertThat(server.spool.content(server.spool.messages().getFirst().id())).contains("smuggled");
        }
    }

    /**
     * A primary that drops NUL before looking for the end of data would read CRLF NUL "." CRLF as the
     * end: the NUL is stripped here, so what is stored is a "." line of content that delivery dot-stuffs.
     */
    @Test
    void nulOctetsAreStrippedSoNoLaterHopCanTakeANulDotLineForTheEnd() throws Exception {
        try (TestServer server = TestServer.start(); SmtpTestClient client = server.connect()) {
            startData(client);
            client.send("Subject: innocent\r\n\r\nbo\0dy\r\n\0.\r\n" + SMUGGLED + ".\r\nQUIT\r\n");
            client.expect("250 2.0.0 Ok: queued as");
            client.expect("221 2.0.0 Bye");
            assertThat(server.spool.messages()).hasSize(1);
            String content = server.spool.content(server.spool.messages().getFirst().id());
            assertThat(content).doesNotContain("\0").endsWith("\r\n\r\nbody\r\n.\r\n" + SMUGGLED);
        }
    }

    @Test
    void onlyCrLfDotCrLfEndsTheMessageAndWhatFollowsIsCommands() throws Exception {
        try (TestServer server = TestServer.start(); SmtpTestClient client = server.connect()) {
            startData(client);
            client.send("Subject: first\r\n\r\nbody\r\n.\r\n"
                    + "MAIL FROM:<ceo@example.org>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\n");
            client.expect("250 2.0.0 Ok: queued as");
            client.expect("250 2.1.0");
            client.expect("250 2.1.5");
            client.expect("354");
            client.send("From: ceo@example.org\r\n\r\nsecond\r\n.\r\n");
            client.expect("250 2.0.0 Ok: queued as");
            assertThat(server.spool.messages()).hasSize(2);
        }
    }

    private static void startData(SmtpTestClient client) throws Exception {
        client.converse("""
                >220
                EHLO client.example\r
                >250
                MAIL FROM:<sender@client.example>\r
                >250
                RCPT TO:<rcpt@example.org>\r
                >250
                DATA\r
                >354
                """);
    }
}
