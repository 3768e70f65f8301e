package org.mxguard.mail;

import java.time.Instant;
import java.util.List;

/**
 * The SMTP envelope of one message as accepted: who sent it from where, to whom, and when.
 *
 * @param sender the reverse-path, possibly {@link MailAddress#NULL_SENDER}
 * @param recipients the accepted forward-paths, at least one
 * @param client the inbound session's client
 * @param received when the transaction began
 * @param eightBitMime true if the client declared BODY=8BITMIME
 * @param smtpUtf8 true if the client declared SMTPUTF8
 */
public record Envelope(MailAddress sender, List<MailAddress> recipients, ClientInfo client, Instant received,
        boolean eightBitMime, boolean smtpUtf8) {

    public Envelope {
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("an envelope has at least one recipient");
        }
    }
}
