package org.mxguard.loganalysis;

import java.time.Instant;

/**
 * A client that one log line shows at the MTA that wrote it: the public result of
 * {@link SightingParser}, for readers outside the analyzer (the primary MX's log, followed live).
 *
 * @param host the host that wrote the line (the syslog host name)
 * @param at when the line says it happened
 * @param program the syslog program name ({@code postfix/smtpd}, {@code sm-mta})
 * @param clientName the client's verified reverse name, or null when the MTA had none
 * @param clientIp the client's address as the MTA logged it
 * @param helo the HELO/EHLO argument when the line gives it, else null
 * @param sender the envelope sender when the line gives it ({@code ""} is the null sender), else null
 * @param kind what the line is
 */
public record ClientSighting(String host, Instant at, String program, String clientName, String clientIp, String helo,
        String sender, Kind kind) {

    /** What kind of line showed the client. */
    public enum Kind {
        /** Postfix {@code connect from}, postscreen {@code CONNECT from}. */
        CONNECT,
        /** A message from the client: Postfix {@code client=}, sendmail {@code from= ... relay=}. */
        MESSAGE,
        /** The client was refused: Postfix {@code reject:}, sendmail {@code ruleset= ... reject=}. */
        REJECT,
        /** Any other sign of the client: a lost connection, a failed AUTH, a protocol error. */
        OTHER
    }
}
