package org.mxguard.smtp;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.mxguard.mail.MailAddress;
import org.mxguard.policy.Decision;

/**
 * Transaction-scope state: what MAIL started and RCPT added, forgotten at RSET, HELO/EHLO,
 * STARTTLS and the end of DATA (RFC 5321 §4.1.4). Exists exactly while the session is in its MAIL
 * or RCPT state, and only the session writes it.
 */
final class Transaction {

    final MailAddress sender;
    /** The reverse-path as the client wrote it, for log lines. */
    final String senderText;
    final boolean eightBitMime;
    final boolean smtpUtf8;
    final Instant started;
    final List<MailAddress> recipients = new ArrayList<>();
    /** The MAIL-stage verdict held back until RCPT (delayed rejection), or null; from {@link PolicyGate#atMail}. */
    Decision heldVerdict;
    /** True once a policy rule accepted this transaction: no more rules are consulted. */
    boolean acceptedByPolicy;
    boolean recipientTried;

    Transaction(MailAddress sender, String senderText, boolean eightBitMime, boolean smtpUtf8, Instant started) {
        this.sender = sender;
        this.senderText = senderText;
        this.eightBitMime = eightBitMime;
        this.smtpUtf8 = smtpUtf8;
        this.started = started;
    }
}
