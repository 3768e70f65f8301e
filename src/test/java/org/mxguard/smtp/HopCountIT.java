package org.mxguard.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A message that has passed through too many hosts is in a loop (RFC 5321 §6.3): it is refused at
 * the end of DATA, as Postfix does at hopcount_limit (50 Received fields, the new one included).
 */
class HopCountIT {

    @Test
    void fortyNineReceivedFieldsAreRefusedAsALoopAndNothingIsQueued() throws Exception {
        try (TestServer server = TestServer.start(); SmtpTestClient client = server.connect()) {
            client.expect("220");
            open(client);
            client.send(received(49) + "Subject: looping\r\n\r\nbody\r\n.\r\n");
            client.expect("554 5.4.6 Error: too many hops");
            assertThat(server.spool.messages()).isEmpty();
            // The session goes on: a message that is not looping is still taken.
            open(client);
            client.send(received(48) + "Subject: far travelled\r\n\r\nbody\r\n.\r\n");
            client.expect("250 2.0.0 Ok: queued as");
            assertThat(server.spool.messages()).hasSize(1);
        }
    }

    @Test
    void receivedInTheBodyDoesNotCount() throws Exception {
        try (TestServer server = TestServer.start(); SmtpTestClient client = server.connect()) {
            client.expect("220");
            open(client);
            client.send("Subject: a forwarded bounce\r\n\r\n" + received(60) + ".\r\n");
            client.expect("250 2.0.0 Ok: queued as");
        }
    }

    private static void open(SmtpTestClient client) throws Exception {
        client.converse("""
                EHLO client.example\r
                >250
                MAIL FROM:<x@client.example>\r
                >250
                RCPT TO:<a@example.org>\r
                >250
                DATA\r
                >354
                """);
    }

    private static String received(int count) {
        StringBuilder fields = new StringBuilder();
        for (int i = 0; i < count; i++) {
            fields.append("Received: from hop").append(i).append(".example (hop").append(i)
                    .append(".example [192.0.2.").append(i + 1).append("])\r\n\tby hop").append(i + 1)
                    .append(".example with ESMTP id X").append(i).append(";\r\n\tThu, 26 Nov 2026 22:17:06 +0000\r\n");
        }
        return fields.toString();
    }
}
