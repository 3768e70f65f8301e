package org.mxguard.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.mxguard.mail.ClientInfo;
import org.mxguard.mail.MailAddress;

/**
 * One SMTP transaction to send: envelope, content and the original client for XFORWARD.
 *
 * @param smtpUtf8 the message needs SMTPUTF8 (RFC 6531): a UTF-8 address or header field
 * @param client the inbound client, or null for mail mxguard made itself (bounces)
 */
record ClientTransaction(MailAddress sender, List<MailAddress> recipients, long size, boolean eightBitMime,
        boolean smtpUtf8, ClientInfo client, Content content) {

    ClientTransaction {
        recipients = List.copyOf(recipients);
    }

    /** Opens the stored message (CRLF lines, not dot-stuffed) each time the content is sent. */
    @FunctionalInterface
    interface Content {
        InputStream open() throws IOException;
    }
}
