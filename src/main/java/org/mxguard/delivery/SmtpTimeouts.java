package org.mxguard.delivery;

import java.time.Duration;

/**
 * How long the SMTP client waits at each stage (RFC 5321 §4.5.3.2; names and defaults as
 * Postfix's smtp_*_timeout, except connect, which Postfix also limits to 30 s).
 *
 * @param connect TCP connect
 * @param greeting the 220 banner and the EHLO/HELO reply (smtp_helo_timeout 300 s)
 * @param command MAIL, RCPT, XFORWARD, STARTTLS, RSET and QUIT replies (300 s)
 * @param dataInit the reply to DATA (120 s)
 * @param dataBlock writing one block of content (180 s)
 * @param dataDone the reply after the final dot (600 s)
 */
public record SmtpTimeouts(Duration connect, Duration greeting, Duration command, Duration dataInit,
        Duration dataBlock, Duration dataDone) {

    public static final SmtpTimeouts DEFAULTS = new SmtpTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(300),
            Duration.ofSeconds(300), Duration.ofSeconds(120), Duration.ofSeconds(180), Duration.ofSeconds(600));

    public SmtpTimeouts {
        for (Duration d : new Duration[] {connect, greeting, command, dataInit, dataBlock, dataDone}) {
            if (d == null || d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("smtp timeouts must be positive and below 24 days: " + d);
            }
        }
    }

    /** The same timeout everywhere, for tests. */
    public static SmtpTimeouts all(Duration d) {
        return new SmtpTimeouts(d, d, d, d, d, d);
    }
}
