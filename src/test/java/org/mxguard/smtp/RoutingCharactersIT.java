package org.mxguard.smtp;

import org.junit.jupiter.api.Test;

/**
 * Relay control over SMTPUTF8: a full-width percent or at sign in the local part is refused like
 * its ASCII twin, because a system downstream that normalises Unicode (NFKC) would route on it.
 */
class RoutingCharactersIT {

    @Test
    void fullWidthPercentAndAtInTheLocalPartAreRefusedAsRelayAttempts() throws Exception {
        try (TestServer server = TestServer.start(); SmtpTestClient client = server.connect()) {
            client.converse("""
                    >220
                    EHLO client.example\r
                    >250
                    """);
            client.sendUtf8("MAIL FROM:<x@client.example> SMTPUTF8\r\n");
            client.expect("250");
            client.sendUtf8("RCPT TO:<victim\uFF05elsewhere.example@example.org>\r\n");
            client.expect("550 5.7.1 <victim\uFF05elsewhere.example@example.org>: Relay access denied");
            client.sendUtf8("RCPT TO:<\"victim\uFF20elsewhere.example\"@example.org>\r\n");
            client.expect("550 5.7.1");
            client.sendUtf8("RCPT TO:<j\u00f6rg@example.org>\r\n");
            client.expect("250 2.1.5");
        }
    }
}
